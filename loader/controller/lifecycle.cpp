#include "controller/lifecycle.h"

#include <algorithm>
#include <array>

#include "model/errors.h"
#include "model/region.h"

namespace xpeer::lifecycle {
namespace {

Error wrong_status(const Peering& p, Action a, const std::string& allowed) {
    return errors::incorrect_status_vpc_peer(p.id + " is " + xpeer::to_string(p.status) + "; " + to_string(a) + " needs it " + allowed);
}

}  // namespace

std::string to_string(Action a) {
    switch (a) {
        case Action::Accept:
            return "accept";
        case Action::Reject:
            return "reject";
        case Action::Delete:
            return "delete";
        case Action::Modify:
            return "modify";
        case Action::Expire:
            return "expire";
        case Action::RouteTo:
            return "route to";
    }
    return "?";
}

Caller caller_of(const Peering& p, AccountId account) { return Caller{p.account == account, p.peer_account == account}; }

bool is_terminal(PeeringStatus s) { return s == PeeringStatus::Rejected || s == PeeringStatus::Expired || s == PeeringStatus::Deleted; }

bool can_reach(PeeringStatus from, PeeringStatus to) {
    using S = PeeringStatus;
    if (from == to) return true;
    switch (from) {
        case S::Creating:
            return true;
        case S::PeerAccepting:
            return to != S::Creating;
        case S::Updating:
            return to == S::Activated || to == S::PeerAccepting || to == S::Deleting || to == S::Deleted;
        case S::Activated:
            return to == S::Updating || to == S::Deleting || to == S::Deleted;
        case S::Rejected:
        case S::Expired:
        case S::Deleting:
            return to == S::Deleting || to == S::Deleted;
        case S::Deleted:
            return false;
    }
    return false;
}

std::optional<int64_t> expires_at(const Peering& p) {
    if (p.status != PeeringStatus::PeerAccepting) return std::nullopt;
    return p.created_at + kPendingSeconds;
}

void check(const Peering& p, Action action, Caller caller, int64_t now) {
    using S = PeeringStatus;
    if (!caller.requester && !caller.accepter && action != Action::Expire) throw errors::not_found(errors::Kind::VpcPeer, p.id);
    switch (action) {
        case Action::Accept:
        case Action::Reject:
            if (p.status != S::PeerAccepting) throw wrong_status(p, action, "Peer Accepting");
            if (!caller.accepter)
                throw errors::forbidden_vpc_peer("the requester cannot " + to_string(action) + " its own request " + p.id +
                                                 "; only the accepter's account " + std::to_string(p.peer_account) + " may");
            return;
        case Action::Delete:
            switch (p.status) {
                case S::Activated:
                case S::Updating:  // among hosts, waiting for one that may never come back
                case S::Rejected:
                case S::Expired:
                    return;
                case S::PeerAccepting:
                    if (!caller.requester)
                        throw errors::forbidden_vpc_peer(
                            p.id + " is Peer Accepting: only the requester may delete (withdraw) it; the accepter rejects it");
                    return;
                default:
                    throw wrong_status(p, action, "Activated, Updating, Peer Accepting (requester), Rejected or Expired");
            }
        case Action::Modify:
            if (p.status != S::Activated && p.status != S::PeerAccepting) throw wrong_status(p, action, "Activated or Peer Accepting");
            if (p.status == S::PeerAccepting && !caller.requester)
                throw errors::forbidden_vpc_peer(p.id + " is Peer Accepting: until it is accepted, only the requester may modify it");
            return;
        case Action::Expire:
            if (p.status != S::PeerAccepting) throw wrong_status(p, action, "Peer Accepting");
            if (now <= p.created_at + kPendingSeconds)
                throw errors::incorrect_status_not_yet_expired(p.id + " has been pending for " + std::to_string(now - p.created_at) +
                                                               " s, not yet seven days");
            return;
        case Action::RouteTo:
            if (p.status != S::Activated) throw wrong_status(p, action, "Activated");
            return;
    }
}

bool is_inter_region(const Peering& p) { return p.region != p.peer_region; }

void check_bandwidth(const Peering& p, int64_t mbps, const BandwidthLimits& limits) {
    const bool inter = is_inter_region(p);
    if (!inter && mbps == -1) return;  // intra-region: unlimited unless limited
    if (mbps <= 0)
        throw errors::invalid_bandwidth_value(std::string("bandwidth of an ") +
                                              (inter ? "inter-region connection must be a positive number of Mbps"
                                                     : "intra-region connection must be -1 (unlimited) or a positive number of Mbps") +
                                              ", not " + std::to_string(mbps));
    if (mbps > kMaxBandwidthMbps)
        throw errors::invalid_bandwidth_too_large("bandwidth " + std::to_string(mbps) + " Mbps is above the " +
                                                  std::to_string(kMaxBandwidthMbps) + " Mbps the data plane can enforce");
    if (!inter) return;  // the seed's bandwidth quotas are for inter-region and cross-border connections
    bool border = is_cross_border(region(p.region), region(p.peer_region));
    int64_t cap = border ? limits.cross_border_mbps : limits.inter_region_mbps;
    if (mbps > cap)
        throw(border ? errors::quota_exceeded_cross_border_bandwidth : errors::quota_exceeded_cross_region_bandwidth)(
            "bandwidth " + std::to_string(mbps) + " Mbps exceeds the " + (border ? "cross-border" : "inter-region") + " quota of " +
            std::to_string(cap) + " Mbps (" + (border ? "vpc_quota_peer_cross_border_bandwidth" : "vpc_quota_peer_cross_region_bandwidth") +
            ")");
}

int64_t parse_bandwidth(const std::string& text) {
    const bool negative = !text.empty() && text[0] == '-';
    const std::string digits = text.substr(negative ? 1 : 0);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        throw errors::invalid_bandwidth_malformed("bandwidth '" + text + "' is not a whole number of Mbps (-1: unlimited)");
    const size_t first = std::min(digits.find_first_not_of('0'), digits.size() - 1);
    const std::string significant = digits.substr(first);
    if (significant.size() > 9) {  // past any limit, and past what an int64_t holds if much longer
        if (negative) throw errors::invalid_bandwidth_value("bandwidth must be a positive number of Mbps or -1 (unlimited), not " + text);
        throw errors::invalid_bandwidth_too_large("bandwidth " + text + " Mbps is above the " + std::to_string(kMaxBandwidthMbps) +
                                                  " Mbps the data plane can enforce");
    }
    const int64_t mbps = std::stoll(significant);
    return negative ? -mbps : mbps;
}

void check_link_type(const Peering& p, const std::string& link_type) {
    if (!is_inter_region(p))
        throw errors::invalid_link_type_intra_region("link type applies to inter-region connections only; " + p.vpc_id + " and " +
                                                     p.peer_vpc_id + " are both in " + p.region);
    if (link_type != "Gold" && link_type != "Platinum")
        throw errors::invalid_link_type_unknown("link type must be Gold or Platinum, not " + link_type);
}

}  // namespace xpeer::lifecycle
