#include "controller/controller.h"
#include "controller/rules.h"
#include "model/error.h"
#include "model/ids.h"
#include "model/region.h"

namespace xpeer {
namespace {

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
        transition(p, PeeringStatus::Activated, "data plane programmed");
        apply_maps();
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
        apply_maps();  // the slot is free; its counters are cleared when a new connection takes it
    });
}

std::vector<Peering> Controller::list_peerings() {
    auto all = store_.peerings();
    std::erase_if(all, [&](const Peering& p) { return p.account != config_.account && p.peer_account != config_.account; });
    return all;
}

Peering Controller::show_peering(const std::string& id) { return visible_peering(id); }

}  // namespace xpeer
