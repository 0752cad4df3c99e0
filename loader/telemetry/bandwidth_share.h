#pragma once
// A connection's bandwidth shared among the hosts that send on it. A link direction is policed
// where its traffic is sent (bpf/police.h); when the sending VPC has vSwitches on several hosts,
// each host's router polices its part, and each host's agent sets its own part from the demand
// every such host published, so that together they send at most the connection's rate. Pure:
// the agent measures, publishes and writes the router's map (controller/bandwidth_sharer.cpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/direction.h"
#include "model/host_demand.h"
#include "model/model.h"

namespace xpeer::bandwidth_share {

// How long a published demand holds: long enough for an agent to publish again well within it
// (every third of it at least, every interval while it changes), never shorter than three of
// its intervals.
int64_t lease_ms(int64_t interval_ms);

// A direction of a limited connection whose sending VPC has vSwitches on this host and others.
struct SharedLink {
    LinkKey link;
    uint32_t slot = 0;
    uint64_t limit = 0;              // the connection's bandwidth, bytes per second
    std::vector<std::string> hosts;  // the sending VPC's hosts, by name, this one among them
};

// The directions this host sends on together with other hosts, in the peerings' order. Only
// connections that forward (Activated, Updating) and have a bandwidth.
std::vector<SharedLink> shared_links(const std::vector<Peering>& peerings, const std::vector<VSwitch>& vswitches, const std::string& here);

// What a host offered on a link direction over one sample, bytes per second: what passed, and
// what the policer dropped, counted in packets and priced at the mean size of those that passed
// (1,500 bytes if none did).
double offered(const LinkCounters& delta, double seconds);

// A host's demand on a link direction: from the previous one (nullopt: none yet) and this
// sample's offer, rising at once and falling by three quarters of the difference a sample, so
// that a sender that pauses for an interval keeps most of its part.
double smooth(std::optional<double> previous, double offered);
// What a host asks for in a sample: its offer, raised fourfold while its policer drops, since a
// TCP sender held to its part offers little more than the part, and must claim more to be given
// more (a claim above an even split gets no more than the split).
double claimed(double smoothed, bool policed);
inline constexpr double kPolicedBoost = 4.0;

// A host's claim on one direction: its demand in bytes per second; nullopt when it has not
// published one within its lease (an agent stopped, or cut off from the store).
struct Claim {
    std::string host;
    std::optional<double> demand;
};

// Every host's part of `limit`, bytes per second, in the claims' order, summing to `limit`
// (rounded down). A host not heard from keeps the equal part; the others share the rest max-min
// fairly by demand (who asks less than an even split gets what it asks, the rest is split among
// the others), each with a floor, together kFloorShare of it, so that a host that starts sending
// sends at once; what nobody asks for is split evenly. Each part is at least 1. A demand that is
// not a number, or below 0, asks nothing; one of infinity asks for all.
std::vector<uint64_t> split(uint64_t limit, const std::vector<Claim>& claims);
inline constexpr double kFloorShare = 1.0 / 32;

// The claims on one shared link, each host's as it published it (heard, this host's among them)
// if that still holds at now_ms: what every host computes its part from.
std::vector<Claim> claims(const SharedLink& link, const std::map<std::string, HostDemand>& heard, int64_t now_ms);

// This host's part of a shared link: its part of the split while its agent renews it, and the
// least it could be given, whatever the other hosts claim, once the agent stops renewing it (the
// other hosts may have grown into the rest meanwhile).
struct Part {
    uint64_t rate = 0;      // bytes per second
    uint64_t fallback = 0;  // bytes per second
};
Part part_of(const SharedLink& link, const std::vector<Claim>& claims, const std::string& here);

}  // namespace xpeer::bandwidth_share
