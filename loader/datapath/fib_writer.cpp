#include "datapath/fib_writer.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "compiler/fib_leaf.h"

namespace xpeer {
namespace {

uint32_t root_key(uint32_t vpc, Family family) { return vpc * 2 + (family == Family::V6 ? 1 : 0); }

// What one family's maps hold now: the nodes and results some root reaches (or a root this
// command retired), and the rest free.
class Placement {
public:
    Placement(const MappedArray<uint32_t>& roots, const MappedArray<xp_fib_node>& nodes, Family family, std::vector<bool>& results_used,
              const std::map<uint32_t, uint32_t>& retired = {})
        : nodes_(nodes), used_(nodes.size(), false), results_used_(results_used) {
        used_[0] = true;  // never a node: a root of 0 means none
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc)
            if (const uint32_t root = roots[root_key(vpc, family)]) mark(root);
        for (const auto& [vpc, root] : retired) mark(root);
        for (uint32_t i = nodes.size(); i-- > 1;)
            if (!used_[i]) free_.push_back(i);
    }

    // n nodes no root reaches, or none if there are not that many.
    std::vector<uint32_t> take(size_t n) {
        if (n > free_.size()) return {};
        std::vector<uint32_t> out(free_.end() - static_cast<ptrdiff_t>(n), free_.end());
        free_.resize(free_.size() - n);
        return out;
    }
    void give_back(const std::vector<uint32_t>& slots) { free_.insert(free_.end(), slots.rbegin(), slots.rend()); }
    size_t free_nodes() const { return free_.size(); }

private:
    // The nodes and results under root; a walk that leaves the maps or comes back to a node (a
    // map written by something else) stops there.
    void mark(uint32_t root) {
        std::vector<uint32_t> todo{root};
        while (!todo.empty()) {
            const uint32_t slot = todo.back();
            todo.pop_back();
            if (slot >= used_.size() || used_[slot]) continue;
            used_[slot] = true;
            for (uint32_t e : nodes_[slot].entry) {
                if (e & XP_FIB_NODE)
                    todo.push_back(e & ~XP_FIB_NODE);
                else if (e < results_used_.size())
                    results_used_[e] = true;
            }
        }
    }

    const MappedArray<xp_fib_node>& nodes_;
    std::vector<bool> used_;
    std::vector<bool>& results_used_;
    std::vector<uint32_t> free_;  // the lowest last: taken first
};

// The results every family shares: one element per distinct decision, written once and never
// changed while a node refers to it.
class Results {
public:
    Results(MappedArray<xp_fib_result>& results, const std::vector<bool>& used) : results_(results) {
        results_.put(0, no_route_leaf());  // what a zeroed entry names
        index_.emplace(bytes_of(no_route_leaf()), 0);
        for (uint32_t i = 1; i < results_.size(); ++i) {
            if (used[i])
                index_.emplace(bytes_of(results_[i]), i);
            else
                free_.push_back(i);
        }
        std::reverse(free_.begin(), free_.end());
    }

    // The index of an element holding r, written now if none does; nullopt when the map is full.
    std::optional<uint32_t> index_of(const xp_fib_result& r) {
        const auto key = bytes_of(r);
        if (auto it = index_.find(key); it != index_.end()) return it->second;
        if (free_.empty()) return std::nullopt;
        const uint32_t i = free_.back();
        free_.pop_back();
        results_.put(i, r);
        index_.emplace(key, i);
        return i;
    }

private:
    MappedArray<xp_fib_result>& results_;
    std::unordered_map<LeafBytes, uint32_t, LeafBytesHash> index_;
    std::vector<uint32_t> free_;
};

// Writes want's nodes that the maps do not hold yet to free nodes, and then its root in one
// store: the nodes above a changed one are written anew too, so that a packet walks the old
// trie or the new one. kept[i]: the node that want.nodes[i] was read from (read_trie), if any.
// False when the maps have no room for it.
class Writer {
public:
    Writer(const VpcFib& want, const std::vector<uint32_t>& kept, Placement& placement, Results& results, MappedArray<xp_fib_node>& nodes)
        : want_(want), kept_(kept), placement_(placement), results_(results), nodes_(nodes) {}

    // The node that holds want's root, or nullopt when there is no room (and nothing taken).
    std::optional<uint32_t> write() {
        auto root = slot_of(0);
        if (!root) placement_.give_back(taken_);
        return root;
    }

private:
    std::optional<uint32_t> slot_of(uint32_t local) {
        xp_fib_node node;
        for (unsigned e = 0; e < XP_FIB_FANOUT; ++e) {
            const uint32_t w = want_.nodes[local].entry[e];
            std::optional<uint32_t> index = (w & XP_FIB_NODE) ? slot_of(w & ~XP_FIB_NODE) : result_index(w);
            if (!index) return std::nullopt;
            node.entry[e] = (w & XP_FIB_NODE) ? (XP_FIB_NODE | *index) : *index;
        }
        const uint32_t was = local < kept_.size() ? kept_[local] : 0;
        if (was && std::memcmp(&nodes_[was], &node, sizeof(node)) == 0) return was;
        const std::vector<uint32_t> slot = placement_.take(1);
        if (slot.empty()) return std::nullopt;
        nodes_.put(slot[0], node);
        taken_.push_back(slot[0]);
        return slot[0];
    }

    // The maps' index of want's result, looked up once.
    std::optional<uint32_t> result_index(uint32_t local) {
        if (result_index_.empty()) result_index_.resize(want_.results.size());
        auto& index = result_index_[local];
        if (!index) index = results_.index_of(want_.results[local]);
        return index;
    }

    const VpcFib& want_;
    std::vector<std::optional<uint32_t>> result_index_;
    const std::vector<uint32_t>& kept_;
    Placement& placement_;
    Results& results_;
    MappedArray<xp_fib_node>& nodes_;
    std::vector<uint32_t> taken_;
};

// The VPC's trie as the maps hold it; nullopt when it has none, or one this build cannot patch
// (results without their lengths, or nodes that leave the maps or come back to a node).
std::optional<InstalledTrie> read_trie(const BpfRouter& dp, uint32_t vpc, Family family, const RetiredRoots& retired = {}) {
    const auto was = retired.of(family).find(vpc);
    const uint32_t root = was != retired.of(family).end() ? was->second : vpc < XP_MAX_VPCS ? dp.fib_roots[root_key(vpc, family)] : 0;
    if (!root) return std::nullopt;
    const auto& nodes = family == Family::V4 ? dp.fib_nodes_v4 : dp.fib_nodes_v6;
    InstalledTrie t;
    constexpr uint32_t kNone = ~0u;
    std::vector<uint32_t> local_result(dp.fib_results.size(), kNone);  // by the maps' index
    local_result[0] = 0;
    t.fib.results.push_back(dp.fib_results[0]);
    std::vector<bool> seen(nodes.size(), false);
    t.slots.push_back(root);
    t.fib.nodes.reserve(256);
    for (size_t i = 0; i < t.slots.size(); ++i) {
        const uint32_t slot = t.slots[i];
        if (slot >= nodes.size() || seen[slot]) return std::nullopt;
        seen[slot] = true;
        t.fib.nodes.emplace_back();
        const xp_fib_node& have = nodes[slot];
        xp_fib_node& mine = t.fib.nodes.back();
        for (unsigned e = 0; e < XP_FIB_FANOUT; ++e) {
            const uint32_t h = have.entry[e];
            if (h & XP_FIB_NODE) {
                mine.entry[e] = XP_FIB_NODE | static_cast<uint32_t>(t.slots.size());
                t.slots.push_back(h & ~XP_FIB_NODE);
                continue;
            }
            if (h >= local_result.size()) return std::nullopt;
            if (local_result[h] == kNone) {
                local_result[h] = static_cast<uint32_t>(t.fib.results.size());
                t.fib.results.push_back(dp.fib_results[h]);
            }
            mine.entry[e] = local_result[h];
        }
    }
    for (const auto& r : t.fib.results)
        if (!r.lengths_set) return std::nullopt;
    return t;
}

// Makes the maps hold want for the VPC: unchanged when the installed trie decides alike, else
// written and swapped in; on no room, the root is 0 and the tries decide. kept: as Writer's.
void install(const VpcFib& want, const std::optional<InstalledTrie>& have, const std::vector<uint32_t>& kept, uint32_t vpc, Family family,
             Placement& placement, Results& results, BpfRouter& dp, FibWriteResult& out) {
    const uint32_t key = root_key(vpc, family);
    if (have && same_decisions(have->fib, want)) {
        ++out.unchanged;
        return;
    }
    if (auto root = Writer(want, kept, placement, results, family == Family::V4 ? dp.fib_nodes_v4 : dp.fib_nodes_v6).write()) {
        if (*root == dp.fib_roots[key]) {  // every node kept
            ++out.unchanged;
            return;
        }
        dp.fib_roots.publish(key, *root);
        ++out.swapped;
        return;
    }
    dp.fib_roots.publish(key, 0);
    ++out.on_tries;
    spdlog::warn("compiled lookup: no room for VPC key {}'s IPv{} trie ({} nodes, {} decisions); the tries decide for it", vpc,
                 family == Family::V4 ? 4 : 6, reachable_nodes(want), want.results.size());
}

}  // namespace

std::set<uint32_t> fib_vpcs_of(const TablesDelta& delta, const Table<uint32_t, xp_peering>& peerings) {
    std::set<uint32_t> vpcs;
    for (const auto& [key, change] : delta.routes_v4) vpcs.insert(key.vpc);
    for (const auto& [key, change] : delta.routes_v6) vpcs.insert(key.vpc);
    auto ends = [&](const std::optional<xp_peering>& p) {
        if (p && p->vpc_a) vpcs.insert({p->vpc_a, p->vpc_b});
    };
    for (const auto& [slot, change] : delta.peerings) {
        if (moves_ends(change)) {
            ends(change.was);
            ends(change.now);
        }
    }
    std::set<uint32_t> composing = vpcs;
    for (const auto& [slot, p] : peerings) {
        if (vpcs.contains(p.vpc_a)) composing.insert(p.vpc_b);
        if (vpcs.contains(p.vpc_b)) composing.insert(p.vpc_a);
    }
    composing.erase(0);
    return composing;
}

bool moves_ends(const Change<xp_peering>& change) {
    auto ends = [](const std::optional<xp_peering>& p) { return p ? std::pair{p->vpc_a, p->vpc_b} : std::pair{0u, 0u}; };
    return ends(change.was) != ends(change.now);
}

FibUse fib_use(const BpfRouter& dp, uint32_t vpc, Family family) {
    FibUse use;
    if (vpc >= XP_MAX_VPCS) return use;
    use.root = dp.fib_roots[root_key(vpc, family)];
    const auto& nodes = family == Family::V4 ? dp.fib_nodes_v4 : dp.fib_nodes_v6;
    std::set<uint32_t> seen;
    std::vector<uint32_t> todo;
    if (use.root) todo.push_back(use.root);
    while (!todo.empty()) {
        const uint32_t slot = todo.back();
        todo.pop_back();
        if (slot >= nodes.size() || !seen.insert(slot).second) continue;
        for (uint32_t e : nodes[slot].entry) {
            if (e & XP_FIB_NODE)
                todo.push_back(e & ~XP_FIB_NODE);
            else
                use.results.insert(e);
        }
    }
    use.nodes = seen.size();
    return use;
}

namespace {

enum class FibMismatch { Stale, Differs, Absent };

// Calls mismatch(vpc, family, kind, root, trie or null, free nodes of the family) for every VPC
// whose trie in the maps is not fib's.
template <typename F>
void compare_fib(const BpfRouter& dp, const Fib& fib, F&& mismatch) {
    std::vector<bool> results_used(dp.fib_results.size(), false);
    for (auto family : {Family::V4, Family::V6}) {
        const Placement placement(dp.fib_roots, family == Family::V4 ? dp.fib_nodes_v4 : dp.fib_nodes_v6, family, results_used);
        const auto& tries = family == Family::V4 ? fib.v4 : fib.v6;
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc) {
            const uint32_t root = dp.fib_roots[root_key(vpc, family)];
            auto trie = tries.find(vpc);
            const VpcFib* want = trie == tries.end() ? nullptr : &trie->second;
            if (root && !want) {
                mismatch(vpc, family, FibMismatch::Stale, root, want, placement.free_nodes());
            } else if (want && !root) {
                mismatch(vpc, family, FibMismatch::Absent, root, want, placement.free_nodes());
            } else if (want) {
                const auto have = read_trie(dp, vpc, family);
                if (!have || !same_decisions(have->fib, *want))
                    mismatch(vpc, family, FibMismatch::Differs, root, want, placement.free_nodes());
            }
        }
        for (const auto& [vpc, trie] : tries)
            if (vpc >= XP_MAX_VPCS)
                mismatch(vpc, family, FibMismatch::Absent, 0, &trie, size_t{0});  // never has a root: nothing to compare
    }
}

}  // namespace

std::set<uint32_t> fib_vpcs_differing(const BpfRouter& dp, const Fib& fib) {
    std::set<uint32_t> out;
    compare_fib(dp, fib, [&](uint32_t vpc, Family, FibMismatch, uint32_t, const VpcFib*, size_t) { out.insert(vpc); });
    return out;
}

std::vector<FibDifference> fib_differences(const BpfRouter& dp, const Fib& fib) {
    std::vector<FibDifference> out;
    compare_fib(dp, fib, [&](uint32_t vpc, Family family, FibMismatch kind, uint32_t root, const VpcFib* want, size_t free) {
        const std::string node = "root node " + std::to_string(root);
        switch (kind) {
            case FibMismatch::Stale:
                out.push_back({vpc, family, node + " for a VPC without routes of the family"});
                break;
            case FibMismatch::Differs:
                out.push_back({vpc, family, node + " decides otherwise than the routes"});
                break;
            case FibMismatch::Absent:
                if (vpc < XP_MAX_VPCS && reachable_nodes(*want) <= free)
                    out.push_back(
                        {vpc, family, "missing (want " + std::to_string(reachable_nodes(*want)) + " nodes): the tries decide for the VPC"});
                break;
        }
    });
    return out;
}

RetiredRoots invalidate_fib(BpfRouter& dp, const std::set<uint32_t>& vpcs) {
    RetiredRoots retired;
    for (uint32_t vpc : vpcs) {
        if (vpc >= XP_MAX_VPCS) continue;
        for (auto family : {Family::V4, Family::V6}) {
            const uint32_t key = root_key(vpc, family);
            if (const uint32_t root = dp.fib_roots[key]) (family == Family::V4 ? retired.v4 : retired.v6).emplace(vpc, root);
            dp.fib_roots.publish(key, 0);
        }
    }
    return retired;
}

namespace {

// The placements of both families over the maps as they are now, and the results they share.
struct FibSpace {
    explicit FibSpace(BpfRouter& dp, const RetiredRoots& retired = {})
        : results_used(dp.fib_results.size(), false),
          v4(dp.fib_roots, dp.fib_nodes_v4, Family::V4, results_used, retired.v4),
          v6(dp.fib_roots, dp.fib_nodes_v6, Family::V6, results_used, retired.v6),
          results(dp.fib_results, results_used) {}
    Placement& of(Family family) { return family == Family::V4 ? v4 : v6; }

    std::vector<bool> results_used;
    Placement v4, v6;
    Results results;
};

// A trie whose every destination has no route of the VPC's own: the VPC has no routes of the
// family (any route decides its own addresses, or longer ones do).
bool routes_nothing(const VpcFib& fib) {
    const xp_fib_result none = no_route_leaf();
    for (uint32_t e : fib.nodes.at(0).entry)
        if ((e & XP_FIB_NODE) || std::memcmp(&fib.results.at(e), &none, sizeof(none)) != 0) return false;
    return true;
}

}  // namespace

FibWriteResult install_fib(BpfRouter& dp, const Fib& fib, const std::set<uint32_t>* only, const RetiredRoots& retired) {
    FibWriteResult out;
    FibSpace space(dp, retired);
    static const std::vector<uint32_t> none;
    for (auto family : {Family::V4, Family::V6}) {
        const auto& tries = family == Family::V4 ? fib.v4 : fib.v6;
        auto wanted = [&](uint32_t vpc) { return !only || only->contains(vpc); };
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc) {  // roots of VPCs without a trie now
            const uint32_t key = root_key(vpc, family);
            if (dp.fib_roots[key] && wanted(vpc) && !tries.contains(vpc)) {
                dp.fib_roots.publish(key, 0);
                ++out.cleared;
            }
        }
        for (const auto& [vpc, trie] : tries)
            if (vpc < XP_MAX_VPCS && wanted(vpc))
                install(trie, read_trie(dp, vpc, family), none, vpc, family, space.of(family), space.results, dp, out);
    }
    return out;
}

std::optional<FibPatch> plan_fib_patch(const BpfRouter& dp, const TablesDelta& delta, const Tables& over,
                                       const Table<uint32_t, xp_peering>& peerings, const RetiredRoots& retired) {
    for (const auto& [slot, change] : delta.peerings)
        if (moves_ends(change)) return std::nullopt;
    FibPatch plan;
    for (auto family : {Family::V4, Family::V6}) {
        std::vector<RouteChange> changes = route_changes(delta, over, family);
        if (changes.empty()) continue;
        std::set<uint32_t> vpcs;  // the changed VPCs and their peers
        for (const auto& c : changes) vpcs.insert(c.vpc);
        for (const auto& [slot, p] : peerings) {
            if (vpcs.contains(p.vpc_a) || vpcs.contains(p.vpc_b)) vpcs.insert({p.vpc_a, p.vpc_b});
        }
        auto& tries = plan.tries[family == Family::V4 ? 0 : 1];
        for (uint32_t vpc : vpcs) {
            const bool had_root = retired.of(family).contains(vpc) || (vpc < XP_MAX_VPCS && dp.fib_roots[root_key(vpc, family)]);
            if (!had_root) continue;  // no trie: absent
            auto have = read_trie(dp, vpc, family, retired);
            if (!have) return std::nullopt;
            tries.emplace(vpc, std::move(*have));
        }
        std::map<uint32_t, VpcFib> patched;
        for (auto& [vpc, trie] : tries) patched.emplace(vpc, std::move(trie.fib));
        if (!patch_fib(patched, peerings, std::move(changes))) return std::nullopt;
        for (auto& [vpc, trie] : patched) tries.at(vpc).fib = std::move(trie);
    }
    return plan;
}

FibWriteResult install_fib_patch(BpfRouter& dp, const FibPatch& patch, const RetiredRoots& retired) {
    FibWriteResult out;
    FibSpace space(dp, retired);
    for (auto family : {Family::V4, Family::V6}) {
        const auto& tries = patch.tries[family == Family::V4 ? 0 : 1];
        for (const auto& [vpc, trie] : tries) {
            if (routes_nothing(trie.fib)) {  // its last route of the family went: no trie, as compile_fib() has none
                dp.fib_roots.publish(root_key(vpc, family), 0);
                ++out.cleared;
                continue;
            }
            install(trie.fib, std::nullopt, trie.slots, vpc, family, space.of(family), space.results, dp, out);
        }
        for (const auto& [vpc, root] : retired.of(family)) {  // retired, but the patch does not change them
            if (tries.contains(vpc)) continue;
            dp.fib_roots.publish(root_key(vpc, family), root);
            ++out.unchanged;
        }
    }
    return out;
}

}  // namespace xpeer
