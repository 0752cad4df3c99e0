#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "compiler/tables.h"
#include "model/cidr.h"

namespace xpeer {

// One VPC's compiled lookup for one address family: a multibit trie with 8-bit strides (at most
// 4 nodes for IPv4, 16 for IPv6, and only as deep as the longest prefix under a destination)
// whose leaves hold resolve_in_tables()'s whole decision, peering crossing included, so that the
// router makes one walk and no second lookup in the peer's table. Node and result indices are
// this VPC's own; the data plane places them in its maps.
struct VpcFib {
    std::vector<xp_fib_node> nodes;      // nodes[0] is the root; XP_FIB_NODE | i names nodes[i]
    std::vector<xp_fib_result> results;  // results[0] is "no route"; a leaf entry indexes results
};

struct Fib {
    std::map<uint32_t, VpcFib> v4, v6;  // by VPC key: every VPC with a route or a port in the tables
};

// Tables -> the compiled lookup of every VPC. Pure, like compile(). The decision a leaf holds
// does not depend on whether its connection is active: the router checks that at every packet
// (with_peering_state), so that activating a connection rewrites no trie.
// only: the VPCs to compile (all when null).
Fib compile_fib(const Tables& t, const std::set<uint32_t>* only = nullptr);
VpcFib compile_vpc_fib(const Tables& t, uint32_t vpc, Family family);

// The walk the router makes: dst's bytes, one node each, until a leaf (with its lengths:
// decision_of() gives what the router sees).
const xp_fib_result& fib_lookup(const VpcFib& fib, const IpAddr& dst);

// Do a and b hold the same leaf for every destination, however their nodes are shaped (a patched
// trie may split where a compiled one does not)?
bool same_decisions(const VpcFib& a, const VpcFib& b);

// The nodes the root reaches: a patched trie leaves behind the nodes it replaced.
size_t reachable_nodes(const VpcFib& fib);

}  // namespace xpeer
