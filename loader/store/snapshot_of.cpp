// The rows behind some map entries, read through indexes: a command's cost follows what it
// changed, not the size of the store.
#include <set>

#include "store/rows.h"
#include "store/sqlite_store.h"
#include "store/statement.h"

namespace xpeer {

using namespace store_detail;

ScopedSnapshot SqliteStore::snapshot_of(const Scope& scope) {
    ScopedSnapshot out;
    Snapshot& s = out.snapshot;

    for (const auto& [vpc_id, wanted] : scope.prefixes) {
        if (wanted.size() <= kScopeLookupsPerVpc) {
            for (const auto& d : wanted)
                for (auto& r : routes_to(vpc_id, d)) s.routes.push_back(std::move(r));
            continue;
        }
        // In routes_vpc_destination's order, no sort: the routes to one destination in rowid order.
        const uint64_t salt = route_salt();
        Statement rows(db_, (kRouteCols + std::string("WHERE vpc_id = ? ORDER BY destination, rowid")).c_str(), vpc_id);
        while (rows.step()) {
            RouteEntry r = read_route(rows, salt);
            if (wanted.count(r.destination)) s.routes.push_back(std::move(r));
        }
    }

    std::set<std::string> vswitch_vpcs;  // all of a VPC's vSwitches, in the store's order
    for (const auto& [vpc_id, wanted] : scope.prefixes) vswitch_vpcs.insert(vpc_id);
    for (const auto& id : scope.vswitches)
        if (auto vsw = find_vswitch(id)) vswitch_vpcs.insert(vsw->vpc_id);
    for (const auto& vpc_id : vswitch_vpcs)
        for (auto& vsw : vswitches_of(vpc_id)) s.vswitches.push_back(std::move(vsw));
    out.ports = vswitch_ports(s.vswitches);

    std::set<std::string> peering_ids = scope.peerings;
    for (const auto& r : s.routes) peering_ids.insert(r.next_hop);
    for (const auto& id : peering_ids)
        if (auto p = find_peering(id); p && p->status != PeeringStatus::Deleted) s.peerings.push_back(std::move(*p));

    std::set<std::string> vpc_ids = vswitch_vpcs;
    for (const auto& p : s.peerings) vpc_ids.insert({p.vpc_id, p.peer_vpc_id});
    for (const auto& id : vpc_ids)
        if (auto v = find_vpc(id)) s.vpcs.push_back(std::move(*v));
    s.hosts = hosts();  // a vSwitch on another host is reached through its tunnel slot: the hosts' order
    s.local = local_host();
    return out;
}

}  // namespace xpeer
