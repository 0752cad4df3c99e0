#include <ctime>

#include "controller/controller.h"
#include "controller/rules.h"
#include "model/error.h"
#include "model/ids.h"
#include "model/region.h"

namespace xpeer {
namespace {

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

bool is_terminal(PeeringStatus s) {
    return s == PeeringStatus::Deleted || s == PeeringStatus::Rejected || s == PeeringStatus::Expired;
}

}  // namespace

Peering Controller::create_peering(const PeeringSpec& spec) {
    return transact([&] {
        Vpc vpc = visible_vpc(spec.vpc_id);
        AccountId peer_account = spec.peer_account.value_or(config_.account);
        auto peer = store_.find_vpc(spec.peer_vpc_id);
        if (!peer || peer->account != peer_account)
            throw Error("InvalidVpcId.NotFound", "peer VPC " + spec.peer_vpc_id + " not found in account " + std::to_string(peer_account));
        if (peer->id == vpc.id) throw Error("InvalidVpcId.Self", "a VPC cannot peer with itself (" + vpc.id + ")");
        if (spec.peer_region && region(*spec.peer_region).id != peer->region)
            throw Error("InvalidRegionId.Mismatch", "peer VPC " + peer->id + " is in " + peer->region + ", not " + *spec.peer_region);
        for (const auto& p : store_.live_peerings()) {
            bool same_pair = (p.vpc_id == vpc.id && p.peer_vpc_id == peer->id) || (p.vpc_id == peer->id && p.peer_vpc_id == vpc.id);
            if (same_pair && !is_terminal(p.status))
                throw Error("ResourceAlreadyExist.VpcPeer", "only one peering connection between two VPCs at a time: " + p.id + " (" +
                                                                to_string(p.status) + ") already connects " + vpc.id + " and " + peer->id);
        }
        bool inter_region = vpc.region != peer->region;
        if (spec.link_type && !inter_region)
            throw Error("InvalidLinkType.IntraRegion", "link type applies to inter-region connections only; " + vpc.id + " and " + peer->id +
                                                           " are both in " + vpc.region);
        if (spec.link_type && *spec.link_type != "Gold" && *spec.link_type != "Platinum")
            throw Error("InvalidLinkType.Unknown", "link type must be Gold or Platinum, not " + *spec.link_type);
        int64_t bandwidth = spec.bandwidth_mbps.value_or(inter_region ? 1024 : -1);
        if (bandwidth == 0 || bandwidth < -1 || (bandwidth == -1 && inter_region))
            throw Error("InvalidBandwidth.Value", "bandwidth " + std::to_string(bandwidth) + " Mbps is not valid for " +
                                                      std::string(inter_region ? "an inter-region" : "an intra-region") + " connection");
        if (inter_region && bandwidth > 1024)
            throw Error("QuotaExceeded.Bandwidth", "bandwidth " + std::to_string(bandwidth) + " Mbps exceeds the inter-region quota of 1024 Mbps");

        Peering p;
        p.account = config_.account;
        p.vpc_id = vpc.id;
        p.peer_account = peer_account;
        p.peer_vpc_id = peer->id;
        p.region = vpc.region;
        p.peer_region = peer->region;
        p.bandwidth_mbps = bandwidth;
        p.link_type = inter_region ? spec.link_type.value_or("Gold") : "";
        p.name = spec.name;
        p.description = spec.description;
        p.created_at = now();
        p.status = PeeringStatus::Creating;
        p.id = new_id("pcc", [&](const std::string& id) { return store_.id_exists(id); });
        store_.insert(p);
        store_.record(Event{p.created_at, p.id, to_string(p.status), config_.account, "requested by " + vpc.id + " to " + peer->id});
        kernel_.clear_link_counters(p.slot);
        if (peer_account != config_.account) {
            transition(p, PeeringStatus::PeerAccepting, "waiting for account " + std::to_string(peer_account) + " to accept");
            apply_maps();
            return p;
        }
        transition(p, PeeringStatus::Updating, "same account: accepted automatically");
        apply_maps();  // installs the connection inactive ...
        transition(p, PeeringStatus::Activated, "data plane programmed");
        apply_maps();  // ... and activates it once its slot is in place
        return p;
    });
}

void Controller::delete_peering(const std::string& id, bool force) {
    transact([&] {
        Peering p = visible_peering(id);
        if (p.status == PeeringStatus::Deleted) throw Error("IncorrectStatus.VpcPeer", id + " is Deleted");
        if (p.account != config_.account) {
            auto own = store_.find_vpc(p.peer_vpc_id);
            if (!own || own->account != config_.account) throw Error("Forbidden.VpcPeer", "account " + std::to_string(config_.account) + " may not delete " + id);
        }
        auto routes = store_.routes_via(id);
        if (!routes.empty() && !force)
            throw Error("DependencyViolation.RouteEntry", id + " is the next hop of " + std::to_string(routes.size()) + " route entr" +
                                                              (routes.size() == 1 ? "y" : "ies") + " (" + routes.front().id +
                                                              " in " + routes.front().vpc_id + "); delete them or use --force");
        transition(p, PeeringStatus::Deleting, force ? "deleted with --force" : "deleted");
        for (const auto& r : routes) {
            store_.delete_route(r.id);
            store_.record(Event{now(), r.id, "Deleted", config_.account, "removed with " + id + " (--force)"});
        }
        apply_maps();  // routes gone, connection inactive: traffic stops here
        for (int dir = 0; dir < XP_DIR_MAX; ++dir) store_.archive_counters(id, dir, kernel_.link_counters(p.slot, dir));
        transition(p, PeeringStatus::Deleted, "data plane cleared");
        apply_maps();
        kernel_.clear_link_counters(p.slot);
    });
}

std::vector<Peering> Controller::list_peerings() {
    auto all = store_.peerings();
    std::erase_if(all, [&](const Peering& p) { return p.account != config_.account && p.peer_account != config_.account; });
    return all;
}

Peering Controller::show_peering(const std::string& id) { return visible_peering(id); }

// ---- route entries

RouteEntry Controller::add_route(const RouteSpec& spec) {
    return transact([&] {
        Vpc vpc = visible_vpc(spec.vpc_id);
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
        store_.insert(r);
        store_.record(Event{r.created_at, r.id, "Available", config_.account, r.destination.str() + " via " + p->id + " in " + vpc.id});
        apply_maps();
        return r;
    });
}

void Controller::delete_route(const std::string& id) {
    transact([&] {
        auto r = store_.find_route(id);
        if (!r) throw Error("InvalidRouteEntryId.NotFound", "route entry " + id + " not found (or not visible to this account)");
        visible_vpc(r->vpc_id);
        store_.delete_route(id);
        store_.record(Event{now(), id, "Deleted", config_.account, "deleted"});
        apply_maps();
    });
}

std::vector<RouteEntry> Controller::list_routes(const std::optional<std::string>& vpc_id) {
    if (vpc_id) return store_.routes_of_vpc(visible_vpc(*vpc_id).id);
    std::vector<RouteEntry> out;
    for (const auto& vpc : list_vpcs())
        for (auto& r : store_.routes_of_vpc(vpc.id)) out.push_back(std::move(r));
    return out;
}

RouteEntry Controller::show_route(const std::string& id) {
    auto r = store_.find_route(id);
    if (!r) throw Error("InvalidRouteEntryId.NotFound", "route entry " + id + " not found (or not visible to this account)");
    visible_vpc(r->vpc_id);
    return *r;
}

// ---- counters, events, whole-host operations

std::vector<LinkStats> Controller::link_stats(const std::optional<std::string>& pcc) {
    std::vector<LinkStats> out;
    auto add = [&](const Peering& p) {
        LinkStats s{p, {}, {}};
        if (p.status == PeeringStatus::Deleted) {
            s.a_to_b = store_.archived_counters(p.id, XP_DIR_A_TO_B).value_or(LinkCounters{});
            s.b_to_a = store_.archived_counters(p.id, XP_DIR_B_TO_A).value_or(LinkCounters{});
        } else {
            s.a_to_b = kernel_.link_counters(p.slot, XP_DIR_A_TO_B);
            s.b_to_a = kernel_.link_counters(p.slot, XP_DIR_B_TO_A);
        }
        out.push_back(s);
    };
    if (pcc) {
        add(visible_peering(*pcc));
    } else {
        for (const auto& p : list_peerings()) add(p);
    }
    return out;
}

std::vector<xp_counters> Controller::reason_stats() { return kernel_.reason_counters(); }

std::vector<Event> Controller::events(const std::string& resource) {
    auto all = store_.events(resource);
    std::erase_if(all, [&](const Event& e) { return e.account != config_.account; });
    return all;
}

ReconcileResult Controller::reconcile() {
    auto tx = store_.begin();
    for (const auto& vpc : store_.vpcs()) {
        kernel_.create_vpc(vpc);
        for (const auto& vsw : store_.vswitches_of(vpc.id)) {
            store_.set_vswitch_port(vsw.id, kernel_.create_vswitch(vpc, vsw));
            for (const auto& inst : store_.instances_of(vsw.id)) kernel_.add_instance(vpc, vsw, inst);
        }
    }
    auto result = apply_maps();
    tx.commit();
    return result;
}

void Controller::teardown() { kernel_.teardown(store_.vpcs()); }

}  // namespace xpeer
