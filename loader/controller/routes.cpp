#include <algorithm>
#include <numeric>
#include <optional>

#include "controller/controller.h"
#include "controller/rules.h"
#include "model/errors.h"

namespace xpeer {
namespace {

Error route_not_found(const std::string& id) { return errors::not_found(errors::Kind::RouteEntry, id); }

// The first of routes[0, end) whose destination an earlier one, or a route already in the VPC
// (stored: Cidr::str() of each), has; end if none.
size_t first_duplicate(const std::vector<RouteEntry>& routes, size_t end, std::vector<std::string> stored) {
    std::vector<size_t> order(end);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return routes[a].destination < routes[b].destination; });
    size_t first = end;
    for (size_t k = 1; k < order.size(); ++k)
        if (routes[order[k]].destination == routes[order[k - 1]].destination) first = std::min(first, order[k]);
    if (!stored.empty()) {
        std::sort(stored.begin(), stored.end());
        for (size_t i = 0; i < first; ++i)
            if (std::binary_search(stored.begin(), stored.end(), routes[i].destination.str())) {
                first = i;
                break;
            }
    }
    return first;
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
            throw errors::invalid_next_hop_not_found("next hop " + spec.next_hop + " is not a peering connection visible to this account");
        for (auto& w : rules::check_route(vpc, store_.vswitches_of(vpc.id), store_.routes_to(vpc.id, r.destination), *p, r.destination))
            warnings_.push_back(std::move(w));
        r.vpc_id = vpc.id;
        r.next_hop = p->id;
        r.created_at = wall_time();
        r.id = store_.insert(r);
        remember_token("route", request, r.id);
        record(Event{r.created_at, r.id, "Available", config_.account, r.destination.str() + " via " + p->id + " in " + vpc.id});
        maps_.apply(Scope::of_route(vpc.id, r.destination));
        return r;
    });
}

size_t Controller::import_routes(const std::string& vpc_id, const std::string& next_hop, const std::vector<std::string>& destinations) {
    return transact([&] {
        Vpc vpc = owned_vpc(vpc_id, "change its route table");
        auto p = store_.find_peering(next_hop);
        if (!p || (p->account != config_.account && p->peer_account != config_.account))
            throw errors::invalid_next_hop_not_found("next hop " + next_hop + " is not a peering connection visible to this account");
        const auto vswitches = store_.vswitches_of(vpc.id);
        std::vector<RouteEntry> routes(destinations.size());
        size_t overlapping = 0;
        const int64_t at = wall_time();
        std::optional<Error> refused;  // of line `valid` + 1; a duplicate before it is reported first
        size_t valid = 0;
        for (; valid < destinations.size(); ++valid) {
            RouteEntry& r = routes[valid];
            try {
                r.destination = Cidr::parse(destinations[valid]);
                overlapping += !rules::check_route(vpc, vswitches, {}, *p, r.destination).empty();
            } catch (const Error& e) {
                refused.emplace(e.code(), "line " + std::to_string(valid + 1) + ": " + e.what());
                break;
            }
            r.vpc_id = vpc.id;
            r.next_hop = p->id;
            r.created_at = at;
        }
        if (size_t d = first_duplicate(routes, valid, store_.route_destinations(vpc.id)); d < valid)
            throw errors::invalid_destination_cidr_block_duplicate("line " + std::to_string(d + 1) + ": destination " +
                                                                   routes[d].destination.str() + " is already in " + vpc.id);
        if (refused) throw *refused;
        if (overlapping)
            warnings_.push_back(std::to_string(overlapping) + " destinations overlap " + vpc.id +
                                "'s own CIDR blocks: the system routes of its vSwitches win for the overlapping part");
        store_.insert(routes);
        record(Event{at, vpc.id, "RoutesImported", config_.account, std::to_string(routes.size()) + " route entries via " + p->id});
        Scope scope;
        for (const auto& r : routes) scope.add_route(vpc.id, r.destination);
        maps_.apply(std::move(scope));
        return routes.size();
    });
}

void Controller::delete_route(const std::string& id) {
    transact([&] {
        auto r = store_.find_route(id);
        if (!r || !usable(r->vpc_id)) throw route_not_found(id);
        owned_vpc(r->vpc_id, "change its route table");
        store_.delete_route(id);
        record(Event{wall_time(), id, "Deleted", config_.account, "deleted"});
        maps_.apply(Scope::of_route(r->vpc_id, r->destination));
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
