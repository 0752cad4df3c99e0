#include "datapath/fib_writer.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "compiler/resolve.h"

namespace xpeer {
namespace {

uint32_t root_key(uint32_t vpc, Family family) { return vpc * 2 + (family == Family::V6 ? 1 : 0); }

using ResultBytes = std::array<uint8_t, sizeof(xp_fib_result)>;
ResultBytes bytes_of(const xp_fib_result& r) {
    ResultBytes b;
    std::memcpy(b.data(), &r, sizeof(r));
    return b;
}
struct ResultBytesHash {
    size_t operator()(const ResultBytes& b) const {
        return std::hash<std::string_view>{}({reinterpret_cast<const char*>(b.data()), b.size()});
    }
};

xp_fib_result no_route() { return decided(XP_REASON_DROP_NO_ROUTE); }

// What one family's maps hold now: the nodes and results some root reaches, and the rest free.
class Placement {
public:
    Placement(const MappedArray<uint32_t>& roots, const MappedArray<xp_fib_node>& nodes, const MappedArray<xp_fib_result>& results,
              Family family, std::vector<bool>& results_used)
        : nodes_(nodes), results_(results), used_(nodes.size(), false), results_used_(results_used) {
        used_[0] = true;  // never a node: a root of 0 means none
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc)
            if (const uint32_t root = roots[root_key(vpc, family)]) mark(root);
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
    void give_back(const std::vector<uint32_t>& slots) { free_.insert(free_.end(), slots.begin(), slots.end()); }
    size_t free_nodes() const { return free_.size(); }

    // Does the trie under `slot` make the decisions of want's node `local`, entry by entry?
    bool same(uint32_t slot, const VpcFib& want, uint32_t local = 0) const {
        if (slot >= nodes_.size()) return false;
        const xp_fib_node& have = nodes_[slot];
        const xp_fib_node& wanted = want.nodes[local];
        for (unsigned i = 0; i < XP_FIB_FANOUT; ++i) {
            const uint32_t h = have.entry[i], w = wanted.entry[i];
            if ((h & XP_FIB_NODE) != (w & XP_FIB_NODE)) return false;
            if (w & XP_FIB_NODE) {
                if (!same(h & ~XP_FIB_NODE, want, w & ~XP_FIB_NODE)) return false;
            } else if (h >= results_.size() || bytes_of(results_[h]) != bytes_of(want.results[w])) {
                return false;
            }
        }
        return true;
    }

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
    const MappedArray<xp_fib_result>& results_;
    std::vector<bool> used_;
    std::vector<bool>& results_used_;
    std::vector<uint32_t> free_;  // the lowest last: taken first
};

// The results every family shares: one element per distinct decision, written once and never
// changed while a node refers to it.
class Results {
public:
    Results(MappedArray<xp_fib_result>& results, const std::vector<bool>& used) : results_(results) {
        results_.put(0, no_route());  // what a zeroed entry names
        index_.emplace(bytes_of(no_route()), 0);
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
    std::unordered_map<ResultBytes, uint32_t, ResultBytesHash> index_;
    std::vector<uint32_t> free_;
};

// Writes want to free nodes and swaps it in; false when the maps have no room for it.
bool place(const VpcFib& want, uint32_t key, Placement& placement, Results& results, MappedArray<xp_fib_node>& nodes,
           MappedArray<uint32_t>& roots) {
    std::vector<uint32_t> result_index(want.results.size());
    for (size_t i = 0; i < want.results.size(); ++i) {
        auto index = results.index_of(want.results[i]);
        if (!index) return false;
        result_index[i] = *index;
    }
    const std::vector<uint32_t> slots = placement.take(want.nodes.size());
    if (slots.size() != want.nodes.size()) return false;
    for (size_t i = 0; i < want.nodes.size(); ++i) {
        xp_fib_node node;
        for (unsigned e = 0; e < XP_FIB_FANOUT; ++e) {
            const uint32_t w = want.nodes[i].entry[e];
            node.entry[e] = (w & XP_FIB_NODE) ? (XP_FIB_NODE | slots[w & ~XP_FIB_NODE]) : result_index[w];
        }
        nodes.put(slots[i], node);
    }
    roots.publish(key, slots[0]);
    return true;
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
        ends(change.was);
        ends(change.now);
    }
    std::set<uint32_t> composing = vpcs;
    for (const auto& [slot, p] : peerings) {
        if (vpcs.contains(p.vpc_a)) composing.insert(p.vpc_b);
        if (vpcs.contains(p.vpc_b)) composing.insert(p.vpc_a);
    }
    composing.erase(0);
    return composing;
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
        const Placement placement(dp.fib_roots, family == Family::V4 ? dp.fib_nodes_v4 : dp.fib_nodes_v6, dp.fib_results, family,
                                  results_used);
        const auto& tries = family == Family::V4 ? fib.v4 : fib.v6;
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc) {
            const uint32_t root = dp.fib_roots[root_key(vpc, family)];
            auto trie = tries.find(vpc);
            const VpcFib* want = trie == tries.end() ? nullptr : &trie->second;
            if (root && !want)
                mismatch(vpc, family, FibMismatch::Stale, root, want, placement.free_nodes());
            else if (want && !root)
                mismatch(vpc, family, FibMismatch::Absent, root, want, placement.free_nodes());
            else if (want && !placement.same(root, *want))
                mismatch(vpc, family, FibMismatch::Differs, root, want, placement.free_nodes());
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
                if (vpc < XP_MAX_VPCS && want->nodes.size() <= free)
                    out.push_back(
                        {vpc, family, "missing (want " + std::to_string(want->nodes.size()) + " nodes): the tries decide for the VPC"});
                break;
        }
    });
    return out;
}

void invalidate_fib(BpfRouter& dp, const std::set<uint32_t>& vpcs) {
    for (uint32_t vpc : vpcs) {
        if (vpc >= XP_MAX_VPCS) continue;
        for (auto family : {Family::V4, Family::V6}) dp.fib_roots.publish(root_key(vpc, family), 0);
    }
}

FibWriteResult install_fib(BpfRouter& dp, const Fib& fib, const std::set<uint32_t>* only) {
    FibWriteResult out;
    std::vector<bool> results_used(dp.fib_results.size(), false);
    Placement v4(dp.fib_roots, dp.fib_nodes_v4, dp.fib_results, Family::V4, results_used);
    Placement v6(dp.fib_roots, dp.fib_nodes_v6, dp.fib_results, Family::V6, results_used);
    Results results(dp.fib_results, results_used);

    for (auto family : {Family::V4, Family::V6}) {
        const auto& tries = family == Family::V4 ? fib.v4 : fib.v6;
        auto& placement = family == Family::V4 ? v4 : v6;
        auto& nodes = family == Family::V4 ? dp.fib_nodes_v4 : dp.fib_nodes_v6;
        auto wanted = [&](uint32_t vpc) { return !only || only->contains(vpc); };
        for (uint32_t vpc = 1; vpc < XP_MAX_VPCS; ++vpc) {  // roots of VPCs without a trie now
            const uint32_t key = root_key(vpc, family);
            if (dp.fib_roots[key] && wanted(vpc) && !tries.contains(vpc)) {
                dp.fib_roots.publish(key, 0);
                ++out.cleared;
            }
        }
        for (const auto& [vpc, trie] : tries) {
            if (vpc >= XP_MAX_VPCS || !wanted(vpc)) continue;
            const uint32_t key = root_key(vpc, family), root = dp.fib_roots[key];
            if (root && placement.same(root, trie)) {
                ++out.unchanged;
            } else if (place(trie, key, placement, results, nodes, dp.fib_roots)) {
                ++out.swapped;
            } else {
                dp.fib_roots.publish(key, 0);
                ++out.on_tries;
                spdlog::warn("compiled lookup: no room for VPC key {}'s IPv{} trie ({} nodes, {} decisions); the tries decide for it", vpc,
                             family == Family::V4 ? 4 : 6, trie.nodes.size(), trie.results.size());
            }
        }
    }
    return out;
}

}  // namespace xpeer
