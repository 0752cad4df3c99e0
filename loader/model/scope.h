#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>

#include "model/model.h"

namespace xpeer {

// Above this many destinations in one VPC, the store reads all the VPC's routes in one pass
// rather than looking each up.
constexpr size_t kScopeLookupsPerVpc = 256;

// The part of the compiled tables a command can change, named by what the store calls things:
// a prefix is the route key of one destination in one VPC (a route entry's or a system
// route's), a vSwitch its port, a peering connection its xp_peering slot.
struct Scope {
    std::map<std::string, std::set<Cidr>> prefixes;  // destinations by VPC id
    std::set<std::string> vswitches;
    std::set<std::string> peerings;

    void add_route(const std::string& vpc_id, const Cidr& destination) { prefixes[vpc_id].insert(destination); }
    // Its port, its system routes (whose keys a route entry may share) and the host routes of
    // its reserved addresses.
    void add_vswitch(const VSwitch& vsw) {
        vswitches.insert(vsw.id);
        add_subnet(vsw.vpc_id, vsw.cidr);
        if (vsw.ipv6_cidr) add_subnet(vsw.vpc_id, *vsw.ipv6_cidr);
    }
    void add_subnet(const std::string& vpc_id, const Cidr& subnet) {
        add_route(vpc_id, subnet);
        for (const auto& a : reserved_addresses(subnet)) add_route(vpc_id, host_route(a));
    }
    // Its xp_peering entry: what its status and bandwidth change. The routes through it do not
    // change with them (a route compiles to the slot of any live connection).
    void add_peering(const std::string& id) { peerings.insert(id); }

    static Scope of_route(const std::string& vpc_id, const Cidr& destination) {
        Scope s;
        s.add_route(vpc_id, destination);
        return s;
    }
    static Scope of_vswitch(const VSwitch& vsw) {
        Scope s;
        s.add_vswitch(vsw);
        return s;
    }
    static Scope of_peering(const std::string& id) {
        Scope s;
        s.add_peering(id);
        return s;
    }

    Scope& operator|=(const Scope& other) {
        for (const auto& [vpc_id, destinations] : other.prefixes) prefixes[vpc_id].insert(destinations.begin(), destinations.end());
        vswitches.insert(other.vswitches.begin(), other.vswitches.end());
        peerings.insert(other.peerings.begin(), other.peerings.end());
        return *this;
    }
    bool empty() const { return prefixes.empty() && vswitches.empty() && peerings.empty(); }

    // This scope with every network that contains one of its destinations, in the same VPC: the
    // routes a changed one falls back to. nullopt when a VPC would have more destinations than
    // the store looks up one by one.
    std::optional<Scope> with_covers() const {
        Scope s = *this;
        for (auto& [vpc_id, destinations] : s.prefixes) {
            for (const auto& d : prefixes.at(vpc_id)) {
                for (int len = d.prefix_len - 1; len >= 0; --len) destinations.insert(d.supernet(static_cast<uint8_t>(len)));
                if (destinations.size() > kScopeLookupsPerVpc) return std::nullopt;
            }
        }
        return s;
    }
};

}  // namespace xpeer
