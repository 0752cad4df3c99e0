#include "controller/controller.h"
#include "controller/rules.h"
#include "model/error.h"
#include "model/ids.h"

namespace xpeer {
namespace {

Error route_not_found(const std::string& id) {
    return Error("InvalidRouteEntryId.NotFound", "route entry " + id + " not found (or not visible to this account)");
}

}  // namespace

bool Controller::usable(const std::string& vpc_id) {
    try {
        usable_vpc(vpc_id);
        return true;
    } catch (const Error&) {
        return false;
    }
}

RouteEntry Controller::add_route(const RouteSpec& spec) {
    const std::string request = spec.vpc_id + "|" + spec.destination + "|" + spec.next_hop;
    return transact([&] {
        if (auto id = replayed("route", request)) return *store_.find_route(*id);
        Vpc vpc = owned_vpc(spec.vpc_id, "change its route table");
        RouteEntry r;
        r.destination = Cidr::parse(spec.destination);
        auto p = store_.find_peering(spec.next_hop);
        if (!p || (p->account != config_.account && p->peer_account != config_.account))
            throw Error("InvalidNextHop.NotFound", "next hop " + spec.next_hop + " is not a peering connection visible to this account");
        for (auto& w : rules::check_route(vpc, store_.vswitches_of(vpc.id), store_.routes_of_vpc(vpc.id), *p, r.destination))
            warnings_.push_back(std::move(w));
        r.vpc_id = vpc.id;
        r.next_hop = p->id;
        r.created_at = now();
        r.id = new_id("rte", [&](const std::string& id) { return store_.id_exists(id); });
        remember_token("route", request, r.id);
        store_.insert(r);
        record(Event{r.created_at, r.id, "Available", config_.account, r.destination.str() + " via " + p->id + " in " + vpc.id});
        apply_maps();
        return r;
    });
}

void Controller::delete_route(const std::string& id) {
    transact([&] {
        auto r = store_.find_route(id);
        if (!r || !usable(r->vpc_id)) throw route_not_found(id);
        owned_vpc(r->vpc_id, "change its route table");
        store_.delete_route(id);
        record(Event{now(), id, "Deleted", config_.account, "deleted"});
        apply_maps();
    });
}

std::vector<RouteEntry> Controller::list_routes(const std::optional<std::string>& vpc_id) {
    if (vpc_id) return store_.routes_of_vpc(usable_vpc(*vpc_id).id);
    std::vector<RouteEntry> out;
    for (const auto& vpc : list_vpcs())
        for (auto& r : store_.routes_of_vpc(vpc.id)) out.push_back(std::move(r));
    return out;
}

RouteEntry Controller::show_route(const std::string& id) {
    auto r = store_.find_route(id);
    if (!r || !usable(r->vpc_id)) throw route_not_found(id);
    return *r;
}

}  // namespace xpeer
