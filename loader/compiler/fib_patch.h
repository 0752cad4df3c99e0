#pragma once
// A route change applied to compiled lookups in place: only the leaves the changed route
// decides are rewritten, with the nodes above them, instead of compiling the VPC again. The
// leaves' lengths (compiler/fib_leaf.h) say which addresses a route decides: a route of length L
// decides the addresses under it whose own route is no longer than L, and a crossing's leaves
// name the peer route that decided them. Pure, like compile_fib(), and tested against it.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "compiler/delta.h"
#include "compiler/fib.h"

namespace xpeer {

struct LengthRoute {
    uint8_t len = 0;
    xp_route route{};
};

// One route of one VPC, added, changed or removed.
struct RouteChange {
    uint32_t vpc = 0;
    Cidr prefix;
    std::optional<xp_route> now;  // nullopt: removed
    // After the change, the VPC's longest route that contains prefix and is shorter: what the
    // addresses of a removed route fall back to.
    std::optional<LengthRoute> cover;
};

// The delta's route changes of one family, each with its cover found in `over`: tables that
// hold, after the change, every route of the VPC that contains a changed one.
std::vector<RouteChange> route_changes(const TablesDelta& delta, const Tables& over, Family family);

// A VPC without routes of the family: the root alone, and no route anywhere.
VpcFib empty_vpc_fib();

// Patches `tries` (one family's, by VPC key) into what compile_fib() makes of the tables after
// `changes`, given the peerings (whose ends the changes do not move). `tries` holds the trie of
// every changed VPC and of every VPC its changed routes cross into; a peer's trie that is absent
// is left alone (the tries decide for it). False when a trie it needs is absent, or a VPC is
// peered with itself: then `tries` is half patched, and the VPCs must be compiled afresh.
// `touched` gets the VPCs whose tries changed.
bool patch_fib(std::map<uint32_t, VpcFib>& tries, const Table<uint32_t, xp_peering>& peerings, std::vector<RouteChange> changes,
               std::set<uint32_t>* touched = nullptr);

}  // namespace xpeer
