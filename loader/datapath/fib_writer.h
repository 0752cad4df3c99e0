#pragma once
// The compiled lookups (compiler/fib.h) placed in the router's maps. A VPC's new trie is written
// to nodes that no root reaches, and then its root is swapped in one store: a packet walks the
// old trie or the new one, never half of each. Nodes and results a swap frees are reused by a
// later write only, long after the packets that read the old root have left the router.
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/delta.h"
#include "compiler/fib.h"
#include "compiler/fib_patch.h"
#include "datapath/bpf_router.h"

namespace xpeer {

struct FibWriteResult {
    size_t swapped = 0;    // tries written and swapped in
    size_t unchanged = 0;  // already as compiled
    size_t on_tries = 0;   // no room left in the maps: the root stays 0 and the tries decide
    size_t cleared = 0;    // roots of VPCs that have no routes of the family any more
};

// The VPCs whose compiled lookups a delta changes: the VPCs of its routes and the ends of its
// peerings, and then the other ends of their connections (whose tries hold their routes).
// `peerings`: what the maps hold before the delta.
std::set<uint32_t> fib_vpcs_of(const TablesDelta& delta, const Table<uint32_t, xp_peering>& peerings);

// Does a peering's change move its ends (a connection made, removed, or its slot reused)? Only
// then does it change a compiled lookup: its state and bandwidth are the router's to check.
bool moves_ends(const Change<xp_peering>& change);

// What a VPC's compiled lookup of one family occupies in the maps: its root (0: none), its nodes
// and the decisions they name (`xpeer maps`).
struct FibUse {
    uint32_t root = 0;
    size_t nodes = 0;
    std::set<uint32_t> results;
};
FibUse fib_use(const BpfRouter& dp, uint32_t vpc, Family family);

// The VPCs whose trie in the maps is not fib's: missing, different, or there without one in fib.
std::set<uint32_t> fib_vpcs_differing(const BpfRouter& dp, const Fib& fib);

// The same, as drift `xpeer check` reports: a root whose trie decides otherwise than fib's, or
// that stands for routes a VPC no longer has; no root where fib has a trie that the free nodes
// could take. A trie that does not fit is not drift: the tries decide for it by design.
struct FibDifference {
    uint32_t vpc = 0;
    Family family = Family::V4;
    std::string problem;
};
std::vector<FibDifference> fib_differences(const BpfRouter& dp, const Fib& fib);

// Sets the roots of these VPCs, both families, to 0: the tries decide for them until
// install_fib gives them their new tries. Before their routes change. Returns the roots it
// retired, whose nodes packets may still be walking: install_fib leaves them alone.
struct RetiredRoots {
    std::map<uint32_t, uint32_t> v4, v6;  // VPC key -> the root it had
    const std::map<uint32_t, uint32_t>& of(Family family) const { return family == Family::V4 ? v4 : v6; }
};
RetiredRoots invalidate_fib(BpfRouter& dp, const std::set<uint32_t>& vpcs);

// Makes the maps hold fib's trie for each VPC of `only` (every VPC, when null: also clearing the
// roots of VPCs that fib has no trie for).
FibWriteResult install_fib(BpfRouter& dp, const Fib& fib, const std::set<uint32_t>* only = nullptr, const RetiredRoots& retired = {});

// A VPC's trie as the maps hold it: its nodes numbered from 0 (the root) in VpcFib's way, and
// the map node each was read from.
struct InstalledTrie {
    VpcFib fib;
    std::vector<uint32_t> slots;
};

// The tries a delta's route changes touch, read from the maps and patched in memory
// (compiler/fib_patch.h): `slots` as read, `fib` patched. [0]: IPv4, [1]: IPv6.
struct FibPatch {
    std::array<std::map<uint32_t, InstalledTrie>, 2> tries;
};
// nullopt when the delta cannot be patched in: it moves a peering's ends, a changed VPC or a
// VPC it crosses into has no trie in the maps, or one written before tries had lengths.
// `over`: the tables after the delta, holding every route that contains a changed one.
// A VPC's trie is read from its retired root, if invalidate_fib retired it.
std::optional<FibPatch> plan_fib_patch(const BpfRouter& dp, const TablesDelta& delta, const Tables& over,
                                       const Table<uint32_t, xp_peering>& peerings, const RetiredRoots& retired);
// Writes what the patch changed to free nodes, with the nodes above them (the others stay where
// they are), and sets each VPC's root in one store; a retired root the patch does not change is
// set again.
FibWriteResult install_fib_patch(BpfRouter& dp, const FibPatch& patch, const RetiredRoots& retired);

}  // namespace xpeer
