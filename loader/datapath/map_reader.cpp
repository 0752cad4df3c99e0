#include "datapath/map_reader.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "datapath/counters.h"
#include "datapath/fib_writer.h"
#include "datapath/map_rows.h"
#include "model/error.h"

namespace xpeer {
namespace {

using map_rows::Row;

struct Decoded {
    std::vector<Row> rows;
    uint64_t used = 0;
};

// Every map type of router_maps.h has its overload of rows(): a map added with a new type
// does not build until `xpeer maps` can show it.
struct Decoder {
    BpfRouter& dp;
    const MapScope& scope;

    template <typename K>
    Decoded rows(const TypedMap<K, xp_route>& routes) const {
        auto entries = routes.all_entries();
        std::erase_if(entries, [&](const auto& e) { return !map_rows::in_scope(scope, e.first.vpc, e.second); });
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {  // by VPC, address, prefix length
            const auto& [x, y] = std::tie(a.first, b.first);
            if (x.vpc != y.vpc) return x.vpc < y.vpc;
            if (int order = std::memcmp(x.addr, y.addr, sizeof(x.addr)); order != 0) return order < 0;
            return x.prefixlen < y.prefixlen;
        });
        Decoded out;
        for (const auto& [key, route] : entries) out.rows.push_back(map_rows::route(key, route, scope));
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const CpuArray<xp_port>& ports) const {
        Decoded out;
        for (const auto& [ifindex, vsw] : scope.vswitches) {
            if (ifindex >= ports.per_cpu()) continue;
            const auto copies = ports.read_percpu(ifindex);
            auto present = std::find_if(copies.begin(), copies.end(), [](const xp_port& c) { return c.vpc != 0; });
            if (present == copies.end()) continue;
            xp_port port = *present;  // the addresses are every copy's; the counters each CPU's
            const xp_port summed = sum(copies);
            port.rx = summed.rx;
            port.tx = summed.tx;
            out.rows.push_back(map_rows::port(ifindex, port, scope));
        }
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const TypedMap<uint32_t, xp_peering>& peerings) const {
        Decoded out;
        for (const auto& [slot, pcc] : scope.peerings) {
            xp_peering p{};
            if (peerings.get(slot, p) && p.vpc_a != 0) out.rows.push_back(map_rows::peering(slot, p, scope));
        }
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const CpuArray<xp_link_counters>& links) const {
        Decoded out;
        for (const auto& [slot, pcc] : scope.peerings) {
            xp_peering p{};
            dp.peerings.get(slot, p);
            for (Direction dir : kDirections) {
                const auto copies = links.read_percpu(link_index(slot, dir));
                uint64_t stash = 0;
                for (const auto& c : copies) stash += c.policer_stash;
                out.rows.push_back(map_rows::link(slot, dir, p, sum(copies), stash, scope));
            }
        }
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const TypedMap<uint32_t, xp_policer>& policers) const {
        Decoded out;
        if (&policers == &dp.underlay_policer) {
            xp_policer bucket{};
            policers.get(0, bucket);
            return {{map_rows::underlay_policer(bucket)}, 1};
        }
        for (const auto& [slot, pcc] : scope.peerings)
            for (Direction dir : kDirections) {
                xp_policer bucket{};
                policers.get(link_index(slot, dir), bucket);
                out.rows.push_back(map_rows::policer(slot, dir, bucket, scope));
            }
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const TypedMap<uint32_t, xp_link_share>& shares) const {
        Decoded out;
        for (const auto& [slot, pcc] : scope.peerings)
            for (Direction dir : kDirections) {
                xp_link_share share{};
                if (shares.get(link_index(slot, dir), share) && share.owner != 0)
                    out.rows.push_back(map_rows::link_share(slot, dir, share, ktime_ns(std::chrono::steady_clock::now()), scope));
            }
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const TypedMap<uint32_t, xp_underlay_qos>& qos) const {
        xp_underlay_qos q{};
        qos.get(0, q);
        return {{map_rows::underlay_qos(q)}, 1};
    }

    Decoded rows(const TypedMap<uint32_t, xp_tunnel>& tunnels) const {
        Decoded out;
        for (const auto& [slot, t] : tunnels.entries(XP_MAX_TUNNELS))
            if (t.ifindex) out.rows.push_back(map_rows::tunnel(slot, t));
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const TypedMap<xp_underlay_key, uint32_t>& hosts) const {
        Decoded out;
        for (const auto& [key, slot] : hosts.all_entries()) out.rows.push_back(map_rows::underlay_host(key, slot));
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const CpuArray<xp_verdicts>& verdicts) const { return {map_rows::verdicts(verdicts.read_percpu(0)), 1}; }

    Decoded rows(const TypedMap<uint32_t, xp_control>& control) const {
        xp_control c{};
        control.get(0, c);
        return {{map_rows::control(c)}, 1};
    }

    Decoded rows(const MappedArray<uint32_t>&) const {
        Decoded out;
        for_each_fib([&](uint32_t vpc, Family family, const FibUse& use) {
            out.rows.push_back(map_rows::fib_root(vpc, family == Family::V6, use.root, use.nodes, use.results.size(), scope));
        });
        out.used = out.rows.size();
        return out;
    }

    Decoded rows(const MappedArray<xp_fib_node>& nodes) const {
        const Family family = &nodes == &dp.fib_nodes_v6 ? Family::V6 : Family::V4;
        Decoded out;
        for_each_fib([&](uint32_t vpc, Family f, const FibUse& use) {
            if (f != family) return;
            out.rows.push_back(map_rows::fib_root(vpc, f == Family::V6, use.root, use.nodes, use.results.size(), scope));
            out.used += use.nodes;
        });
        return out;
    }

    Decoded rows(const MappedArray<xp_fib_result>& results) const {
        std::set<uint32_t> used;
        for_each_fib([&](uint32_t, Family, const FibUse& use) { used.insert(use.results.begin(), use.results.end()); });
        Decoded out;
        for (uint32_t i : used)
            if (i < results.size()) out.rows.push_back(map_rows::fib_result(i, results[i], scope));
        out.used = out.rows.size();
        return out;
    }

private:
    // f(VPC key, family, what its compiled lookup uses) for each VPC of the scope that has one.
    template <typename F>
    void for_each_fib(F&& f) const {
        auto visit = [&](uint32_t vpc) {
            for (auto family : {Family::V4, Family::V6})
                if (auto use = fib_use(dp, vpc, family); use.root) f(vpc, family, use);
        };
        if (!scope.whole) {
            for (const auto& [vpc, id] : scope.vpcs) visit(vpc);
            return;
        }
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc)
            if (dp.fib_roots[vpc * 2] || dp.fib_roots[vpc * 2 + 1]) visit(vpc);
    }
};

template <typename K, typename V>
uint64_t capacity(const TypedMap<K, V>& map) {
    return map.max_entries();
}
template <typename V>
uint64_t capacity(const CpuArray<V>& map) {
    return map.per_cpu();
}
template <typename V>
uint64_t capacity(const MappedArray<V>& map) {
    return map.size();
}

MapSummary summary_of(const RouterMap& m, const std::string& dir, uint64_t max_entries) {
    return MapSummary{info_of(m), dir + "/" + m.name, 0, max_entries};
}

}  // namespace

std::vector<MapSummary> summarize_maps(BpfRouter& dp, const std::string& dir, const MapScope& scope) {
    std::vector<MapSummary> out;
    const Decoder decoder{dp, scope};
    dp.for_each_map([&](auto& map, const RouterMap& m) {
        if (m.owner == MapOwner::Router && !scope.router_wide) return;
        out.push_back(summary_of(m, dir, capacity(map)));
        out.back().used = decoder.rows(map).used;
    });
    return out;
}

MapContents read_map(BpfRouter& dp, const std::string& dir, const std::string& name, const MapScope& scope) {
    std::optional<MapContents> out;
    const Decoder decoder{dp, scope};
    dp.for_each_map([&](auto& map, const RouterMap& m) {
        if (name != m.name) return;
        auto decoded = decoder.rows(map);
        out = MapContents{summary_of(m, dir, capacity(map)), std::move(decoded.rows)};
        out->summary.used = decoded.used;
    });
    if (!out) throw unknown_map(name, router_map_infos());
    return std::move(*out);
}

}  // namespace xpeer
