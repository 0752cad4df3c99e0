#include "store/etcd/slices.h"

#include <map>

namespace xpeer::slices {
namespace {

using nlohmann::json;

using kernel_lag::text_of;

// false: every host is concerned.
bool add(const kernel_lag::RowChange& c, const std::vector<kernel_lag::RowChange>& changes, const Lookup& lookup,
         std::set<std::string>& vpcs, std::set<std::string>& hosts) {
    if (kernel_lag::kernel_ignores(c.table)) return true;
    static const std::map<std::string, std::vector<const char*>> kVpcColumns{
        {"routes", {"vpc_id"}}, {"peerings", {"vpc_id", "peer_vpc_id"}}, {"vswitches", {"vpc_id"}}};
    for (const auto* v : {c.was ? &*c.was : nullptr, c.now ? &*c.now : nullptr}) {
        if (!v) continue;
        if (c.table == "instances") {  // an address in a namespace of the vSwitch's host, no map entry
            auto vsw = text_of(*v, "vswitch_id");
            auto host = vsw ? host_of(*vsw, changes, lookup) : std::nullopt;
            if (!host) return false;
            if (!host->empty()) hosts.insert(*host);
            continue;
        }
        auto columns = kVpcColumns.find(c.table);
        if (columns == kVpcColumns.end()) return false;  // hosts, shared settings, a newer schema's table
        for (const char* name : columns->second) {
            auto vpc = text_of(*v, name);
            if (!vpc) return false;
            vpcs.insert(*vpc);
        }
        if (c.table == "vswitches")
            if (auto host = text_of(*v, "host")) hosts.insert(*host);  // the host it leaves, too
    }
    return true;
}

}  // namespace

std::optional<std::string> host_of(const std::string& vsw, const std::vector<kernel_lag::RowChange>& changes, const Lookup& lookup) {
    if (auto host = lookup.host_of_vswitch(vsw)) return host;
    for (const auto& c : changes)
        if (c.table == "vswitches" && c.key == json::array({vsw}) && c.was) return text_of(*c.was, "host").value_or("");
    return std::nullopt;
}

Lookup lookup_in(Store& store) {
    Lookup lookup;
    lookup.host_of_vswitch = [&store](const std::string& id) -> std::optional<std::string> {
        auto vsw = store.find_vswitch(id);
        if (!vsw) return std::nullopt;
        return vsw->host.value_or("");
    };
    lookup.peers_of = [&store](const std::string& vpc) {
        std::set<std::string> out;
        for (const auto& p : store.live_peerings_of(vpc)) out.insert(p.vpc_id == vpc ? p.peer_vpc_id : p.vpc_id);
        return out;
    };
    lookup.carriers_of = [&store](const std::string& vpc) {
        std::set<std::string> out;
        for (const auto& vsw : store.vswitches_of(vpc))
            if (vsw.host) out.insert(*vsw.host);
        return out;
    };
    return lookup;
}

Concerned concerned(const std::vector<kernel_lag::RowChange>& changes, const Lookup& lookup) {
    Concerned out;
    std::set<std::string> vpcs;
    for (const auto& c : changes) {
        if (!add(c, changes, lookup, vpcs, out.hosts)) return {true, {}};
    }
    // The VPCs whose tables change, and their peers: a packet sent there looks up the changed table second.
    std::set<std::string> reached = vpcs;
    for (const auto& vpc : vpcs) reached.merge(lookup.peers_of(vpc));
    for (const auto& vpc : reached) out.hosts.merge(lookup.carriers_of(vpc));
    return out;
}

}  // namespace xpeer::slices
