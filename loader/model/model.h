#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/cidr.h"
#include "model/link_counters.h"

namespace xpeer {

using AccountId = uint64_t;  // numeric UIDs, as long as a cloud's
// The platform's own account: it sets prices, and the system's events (expiry) carry it.
inline constexpr AccountId kOperatorAccount = 0;

struct Vpc {
    uint32_t key = 0;  // the VPC's number in LPM keys; assigned by the store
    std::string id;    // vpc-...
    AccountId account = 0;
    std::string region;
    std::string name;
    Cidr cidr;
    std::optional<Cidr> ipv6_cidr;
    int64_t created_at = 0;  // unix seconds
};

struct VSwitch {
    uint32_t number = 0;  // smallest free among live vSwitches: its policy-routing table and metric; assigned by the store
    std::string id;       // vsw-...
    std::string vpc_id;
    std::string name;
    Cidr cidr;
    std::optional<Cidr> ipv6_cidr;
    int64_t created_at = 0;
    AccountId account = 0;            // who created it: the VPC's owner, or a principal of a shared VPC
    std::optional<std::string> host;  // the host it lives on; none: the store has no hosts (one machine)
};

// A machine that runs an agent, in a store shared by several (etcd).
struct Host {
    std::string name;
    std::string region;
    IpAddr underlay;  // the address other hosts reach it at
    int64_t created_at = 0;
};

struct Instance {
    std::string id;  // i-...
    std::string vswitch_id;
    std::optional<IpAddr> ip;
    std::optional<IpAddr> ipv6;
    int64_t created_at = 0;
    AccountId account = 0;  // who created it
};

// Spelled as in the seed document.
enum class PeeringStatus { Creating, PeerAccepting, Updating, Activated, Rejected, Expired, Deleting, Deleted };
std::string to_string(PeeringStatus s);
PeeringStatus peering_status_from_string(const std::string& s);  // throws Error

struct Peering {
    uint32_t slot = 0;      // data plane slot, smallest free among live connections; assigned by the store
    std::string id;         // pcc-...
    AccountId account = 0;  // requester's account
    std::string vpc_id;     // requester VPC
    AccountId peer_account = 0;
    std::string peer_vpc_id;  // accepter VPC
    std::string region;
    std::string peer_region;
    int64_t bandwidth_mbps = -1;  // -1 = unlimited
    std::string link_type;        // "" (intra-region), "Gold" or "Platinum"
    PeeringStatus status = PeeringStatus::Creating;
    std::string name;
    std::string description;
    int64_t created_at = 0;
};

struct RouteEntry {
    std::string id;  // rte-...
    std::string vpc_id;
    Cidr destination;
    std::string next_hop;  // pcc-...
    int64_t created_at = 0;
};

struct Event {
    int64_t time = 0;
    std::string resource;  // any id
    std::string status;
    AccountId account = 0;
    std::string reason;
};

// Everything the compiler needs from the store.
// This host among the hosts that share the store, as its replica knows it (never in etcd).
struct LocalHost {
    std::string name;                     // bound by its agent; empty: one machine, or no agent runs here
    uint32_t underlay_ifindex = 0;        // the agent's underlay interface, in the datapath namespace; 0: none
    int64_t underlay_bandwidth_mbps = 0;  // what the router may send on it (xp_underlay_qos); 0: not policed
};

struct Snapshot {
    std::vector<Vpc> vpcs;
    std::vector<VSwitch> vswitches;
    std::vector<Instance> instances;
    std::vector<Peering> peerings;  // live ones: not Deleted
    std::vector<RouteEntry> routes;
    std::vector<Host> hosts;  // every registered host, by name
    LocalHost local;
};

}  // namespace xpeer
