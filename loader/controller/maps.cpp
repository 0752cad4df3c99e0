// `xpeer maps`: who may read which entries of the router's maps.
#include <algorithm>

#include "controller/controller.h"
#include "model/errors.h"

namespace xpeer {

MapScope Controller::map_scope(const std::optional<std::string>& vpc_id, const std::optional<std::string>& peering_id) {
    if (vpc_id && peering_id)
        throw errors::invalid_parameter_conflict("--vpc and --peering each name a scope of the maps; give one of them");
    MapScope scope;
    scope.router_wide = config_.is_operator;
    const PortMap ports = store_.vswitch_ports();
    auto name_vpc = [&](const std::string& id) {
        if (auto v = store_.find_vpc(id)) scope.vpc_names[v->key] = v->id;
    };
    auto add_vpc = [&](const Vpc& v) {
        scope.vpcs[v.key] = v.id;
        scope.vpc_names[v.key] = v.id;
        for (const auto& vsw : store_.vswitches_of(v.id))
            if (auto port = ports.find(vsw.id); port != ports.end()) scope.vswitches[port->second.ifindex] = vsw.id;
    };
    auto add_peering = [&](const Peering& p) {
        if (p.status == PeeringStatus::Deleted) return;  // its slot is free, or another connection's
        scope.peerings[p.slot] = p.id;
        name_vpc(p.vpc_id);
        name_vpc(p.peer_vpc_id);
    };

    if (vpc_id) {
        auto operators = config_.is_operator ? store_.find_vpc(*vpc_id) : std::nullopt;
        const Vpc vpc = operators ? *operators : usable_vpc(*vpc_id);  // another account's: not found, as everywhere
        add_vpc(vpc);
        for (const auto& p : store_.live_peerings_of(vpc.id)) {
            scope.peering_names[p.slot] = p.id;  // its routes name it, as `route list` does
            // A principal of a shared VPC sees its routes, not its owner's connections (visible_peering).
            if (config_.is_operator || p.account == config_.account || p.peer_account == config_.account) add_peering(p);
        }
    } else if (peering_id) {
        auto operators = config_.is_operator ? store_.find_peering(*peering_id) : std::nullopt;
        const Peering p = operators ? *operators : visible_peering(*peering_id);
        add_peering(p);
        for (const auto& end : {p.vpc_id, p.peer_vpc_id})  // the routes through it, in the VPCs the caller may use
            if (config_.is_operator || usable(end))
                if (auto v = store_.find_vpc(end)) scope.vpcs[v->key] = v->id;
        scope.routes_via = p.slot;
    } else {
        check_operator("read the whole maps (every account's entries); a tenant reads its own with --vpc or --peering");
        scope.whole = true;
        for (const auto& v : store_.vpcs()) add_vpc(v);
        for (const auto& p : store_.live_peerings()) add_peering(p);
    }
    return scope;
}

std::vector<MapSummary> Controller::map_summaries(const std::optional<std::string>& vpc_id, const std::optional<std::string>& peering_id) {
    return kernel_->map_summaries(map_scope(vpc_id, peering_id));
}

MapContents Controller::map_entries(const std::string& name, const std::optional<std::string>& vpc_id,
                                    const std::optional<std::string>& peering_id) {
    const auto table = kernel_->map_table();
    auto info = std::ranges::find(table, name, &MapInfo::name);
    if (info == table.end()) throw unknown_map(name, table);
    if (info->owner == MapOwner::Router) check_operator("read " + name + ": it counts every account's traffic together");
    return kernel_->map_entries(name, map_scope(vpc_id, peering_id));
}

}  // namespace xpeer
