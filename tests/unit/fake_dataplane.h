#pragma once
// A data plane for controller tests without root: it records what the controller asks and keeps
// the compiled tables where the kernel would keep its maps.
#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/delta.h"
#include "compiler/fib_patch.h"
#include "controller/dataplane.h"
#include "datapath/map_drift.h"
#include "datapath/map_rows.h"
#include "datapath/router_maps.h"

namespace xpeer::testing {

// The kernel that several controllers (one per account) share.
struct FakeKernel {
    Tables maps;
    std::vector<std::string> calls;
    uint32_t next_ifindex = 100;
    std::map<std::string, uint32_t> links;  // the vSwitch links made, by vSwitch id: their ifindex
    int fail_apply_after = -1;              // >= 0: that many applies (whole or delta) succeed, then one throws (a kernel failure)
    bool dirty = false;                     // xp_control.dirty
    size_t full_applies = 0, delta_applies = 0;
    // Deltas given `over` tables, and the route changes whose cover `over` missed: a patched
    // compiled lookup would decide those addresses wrongly.
    size_t deltas_over = 0, covers_missed = 0;
    std::map<std::pair<uint32_t, Direction>, LinkCounters> link_counters;  // by peering slot and direction, as the map has them
    std::map<std::pair<uint32_t, Direction>, LinkShare> link_shares;       // xp_link_shares, by peering slot and direction
    VerdictCounts verdicts{{"forward_peering", 3, 300}, {"drop_ttl", 1, 64}};

    // The maps as text, to compare before and after a refused command.
    std::string dump() const {
        std::string out;
        for (const auto& [k, v] : maps.peerings) out += "peering " + std::to_string(k) + " active " + std::to_string(v.active) + "\n";
        for (const auto& [k, v] : maps.ports) out += "port " + std::to_string(k) + " vpc " + std::to_string(v.vpc) + "\n";
        out += "routes v4 " + std::to_string(maps.routes_v4.size()) + " v6 " + std::to_string(maps.routes_v6.size()) + "\n";
        for (const auto& [k, v] : maps.routes_v6)
            out += "route6 vpc " + std::to_string(k.vpc) + " /" + std::to_string(k.prefixlen - 32) + " kind " + std::to_string(v.kind) +
                   " target " + std::to_string(v.target) + "\n";
        out += "kernel calls " + std::to_string(calls.size()) + "\n";
        for (const auto& [k, v] : maps.routes_v4)
            out += "route vpc " + std::to_string(k.vpc) + " /" + std::to_string(k.prefixlen - 32) + " kind " + std::to_string(v.kind) +
                   " target " + std::to_string(v.target) + "\n";
        return out;
    }
    // Whether the peering in `slot` is programmed active.
    bool active(uint32_t slot) const {
        auto it = maps.peerings.find(slot);
        return it != maps.peerings.end() && it->second.active;
    }
};

class FakeDataplane : public Dataplane {
public:
    explicit FakeDataplane(std::shared_ptr<FakeKernel> k) : k_(std::move(k)) {}

    void create_vpc(const Vpc& vpc) override { k_->calls.push_back("create_vpc " + vpc.id); }
    void delete_vpc(const Vpc& vpc) override { k_->calls.push_back("delete_vpc " + vpc.id); }
    PortInfo create_vswitch(const Vpc&, const VSwitch& vsw) override {
        k_->calls.push_back("create_vswitch " + vsw.id);
        PortInfo p;
        auto [link, made] = k_->links.try_emplace(vsw.id, k_->next_ifindex);  // a link that exists keeps its ifindex
        if (made) ++k_->next_ifindex;
        p.ifindex = link->second;
        p.datapath_mac = {2, 0, 0, 0, 0, static_cast<uint8_t>(p.ifindex)};
        p.vpc_mac = {2, 0, 0, 0, 1, static_cast<uint8_t>(p.ifindex)};
        return p;
    }
    void delete_vswitch(const Vpc&, const VSwitch& vsw) override {
        k_->calls.push_back("delete_vswitch " + vsw.id);
        k_->links.erase(vsw.id);
    }
    void add_instance(const Vpc&, const VSwitch&, const Instance& i) override { k_->calls.push_back("add_instance " + i.id); }
    void remove_instance(const Vpc&, const VSwitch&, const Instance& i) override { k_->calls.push_back("remove_instance " + i.id); }
    void remove_other_addresses(const Vpc&, const VSwitch&, const std::vector<Instance>&) override {}
    ReconcileResult apply(const Snapshot& s, const PortMap& ports) override {
        maybe_fail();
        ++k_->full_applies;
        Tables now = compile(s, ports);
        auto r = diff(k_->maps, now).counts();
        k_->maps = std::move(now);
        return r;
    }
    ReconcileResult apply_delta(const TablesDelta& delta, const Tables* over) override {
        maybe_fail();
        ++k_->delta_applies;
        patch(k_->maps, delta);
        if (over) {
            ++k_->deltas_over;
            for (auto family : {Family::V4, Family::V6}) {
                const auto given = route_changes(delta, *over, family), whole = route_changes(delta, k_->maps, family);
                for (size_t i = 0; i < given.size(); ++i)
                    if (given[i].cover.has_value() != whole[i].cover.has_value() ||
                        (given[i].cover && given[i].cover->len != whole[i].cover->len))
                        ++k_->covers_missed;
            }
        }
        return delta.counts();
    }
    bool maps_dirty() override { return k_->dirty; }
    void set_maps_dirty(bool dirty) override { k_->dirty = dirty; }
    ReconcileResult plan(const Snapshot& s, const PortMap& ports) override { return diff(k_->maps, compile(s, ports)).counts(); }
    void set_link_share(uint32_t slot, Direction dir, const std::optional<LinkShare>& share) override {
        if (share)
            k_->link_shares[{slot, dir}] = *share;
        else
            k_->link_shares.erase({slot, dir});
    }
    LinkCounters link_counters(uint32_t slot, Direction dir) override {
        auto it = k_->link_counters.find({slot, dir});
        return it == k_->link_counters.end() ? LinkCounters{} : it->second;
    }
    bool has_datapath() override { return true; }
    VerdictCounts reason_counters() override { return k_->verdicts; }
    RouteLookupStats route_lookup_stats() override { return {}; }
    std::vector<MapInfo> map_table() override { return router_map_infos(); }
    std::vector<MapSummary> map_summaries(const MapScope& scope) override {
        std::vector<MapSummary> out;
        for (const auto& m : router_map_infos())
            if (m.owner != MapOwner::Router || scope.router_wide) out.push_back(map_entries(m.name, scope).summary);
        return out;
    }
    // The maps the compiler fills and the link counters, decoded as the KernelDataplane decodes them; the
    // router's own (compiled lookups, verdicts, control) hold nothing here.
    MapContents map_entries(const std::string& name, const MapScope& scope) override {
        auto infos = router_map_infos();
        auto info = std::find_if(infos.begin(), infos.end(), [&](const MapInfo& m) { return m.name == name; });
        if (info == infos.end()) throw unknown_map(name, infos);
        MapContents out{{*info, "fake/" + name, 0, 0}, {}};
        auto routes = [&](const auto& table) {
            for (const auto& [key, route] : table)
                if (map_rows::in_scope(scope, key.vpc, route)) out.rows.push_back(map_rows::route(key, route, scope));
        };
        if (name == "xp_routes_v4") routes(k_->maps.routes_v4);
        if (name == "xp_routes_v6") routes(k_->maps.routes_v6);
        if (name == "xp_ports")
            for (const auto& [ifindex, port] : k_->maps.ports)
                if (scope.vswitches.contains(ifindex)) out.rows.push_back(map_rows::port(ifindex, port, scope));
        for (const auto& [slot, p] : k_->maps.peerings) {
            if (!scope.peerings.contains(slot)) continue;
            if (name == "xp_peerings") out.rows.push_back(map_rows::peering(slot, p, scope));
            for (Direction dir : kDirections)
                if (name == "xp_link_stats") out.rows.push_back(map_rows::link(slot, dir, p, link_counters(slot, dir), 0, scope));
        }
        out.summary.used = out.rows.size();
        return out;
    }
    std::vector<Difference> check(const Snapshot& s, const PortMap& ports) override {
        auto out = describe_differences(diff(k_->maps, compile(s, ports)));
        if (k_->dirty) out.push_back({"xp_control", "marked dirty"});
        return out;
    }
    UpgradeResult upgrade(const Snapshot&, const PortMap&) override {
        k_->calls.push_back("upgrade");
        return {};
    }
    void remove_orphans(const std::vector<Vpc>&, const std::vector<VSwitch>&) override {}
    void teardown(const std::vector<Vpc>&) override { k_->calls.push_back("teardown"); }
    uint32_t attach_underlay(const std::string& ifname) override {
        k_->calls.push_back("attach_underlay " + ifname);
        return 7;
    }

private:
    void maybe_fail() {
        if (k_->fail_apply_after == 0) {
            k_->fail_apply_after = -1;
            throw std::runtime_error("bpf_map_update_elem: injected failure");
        }
        if (k_->fail_apply_after > 0) --k_->fail_apply_after;
    }

    std::shared_ptr<FakeKernel> k_;
};

}  // namespace xpeer::testing
