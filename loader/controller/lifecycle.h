#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "model/model.h"

// The seed's peering connection lifecycle as pure functions: which account may do what to a
// connection in which status, and what a connection's properties may be. Each check throws
// xpeer::Error naming the rule, or returns.
namespace xpeer::lifecycle {

constexpr int64_t kMaxBandwidthMbps = 100'000;      // the policer's arithmetic holds to 144 Gbit/s
constexpr int64_t kPendingSeconds = 7 * 24 * 3600;  // Peer Accepting for more than this: Expired

enum class Action { Accept, Reject, Delete, Modify, Expire, RouteTo };
std::string to_string(Action a);

// Who asks: the account that requested the connection, the account that owns the peer VPC, or
// (same-account connections) both at once.
struct Caller {
    bool requester = false;
    bool accepter = false;
};
Caller caller_of(const Peering& p, AccountId account);

// Whether `caller` may do `action` to `p` now (`now` matters for Expire only).
void check(const Peering& p, Action action, Caller caller, int64_t now);

// The end of a pending request's seven days (it expires once they are over); nullopt unless it
// is Peer Accepting.
std::optional<int64_t> expires_at(const Peering& p);
bool is_terminal(PeeringStatus s);
// Whether a connection in `from` can still come to be in `to` (itself included).
bool can_reach(PeeringStatus from, PeeringStatus to);  // Rejected, Expired, Deleted: no way out but delete or none

// The quotas that bound a connection's properties, of the requester's account.
struct BandwidthLimits {
    int64_t inter_region_mbps = 1024;  // vpc_quota_peer_cross_region_bandwidth
    int64_t cross_border_mbps = 1024;  // vpc_quota_peer_cross_border_bandwidth
};
// Bandwidth in Mbps (-1 unlimited) for a connection: within a region -1 (the default) or
// positive; between regions positive and at most the quota.
void check_bandwidth(const Peering& p, int64_t mbps, const BandwidthLimits& limits);
// Mbps as typed ("-1", "200"): Error("InvalidBandwidth.Malformed") for what is not a whole number,
// Error("InvalidBandwidth.TooLarge") above kMaxBandwidthMbps however many digits, naming the text.
int64_t parse_bandwidth(const std::string& text);
// Gold or Platinum, inter-region connections only.
void check_link_type(const Peering& p, const std::string& link_type);
bool is_inter_region(const Peering& p);

}  // namespace xpeer::lifecycle
