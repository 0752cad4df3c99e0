#include "compiler/fib_patch.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "compiler/fib_leaf.h"
#include "compiler/lpm_key.h"
#include "compiler/prefix_bits.h"

namespace xpeer {
namespace {

using prefix_bits::byte_at;
using prefix_bits::mask;
using prefix_bits::U128;

// What the leaves a rule rewrites become: a decision, or the peer's trie under the same range
// read through a crossing.
struct Content {
    xp_fib_result leaf{};
    const VpcFib* peer = nullptr;  // set: crossed_leaf(link, the peer's leaf, own_len) for each address
    uint32_t link = XP_NO_LINK;
    uint8_t own_len = 0;
};

// One VPC's trie under patch. Nodes keep their indices; a node a patch no longer reaches stays
// in the vector, unreached.
class TriePatch {
public:
    explicit TriePatch(VpcFib& fib) : fib_(fib) {
        for (uint32_t i = 0; i < fib_.results.size(); ++i) index_.emplace(bytes_of(fib_.results[i]), i);
    }

    // Rewrites each leaf under prefix (addr, len) for which applies(leaf) holds, as content(leaf)
    // says. Leaves that straddle the prefix's edge are split first, where applies() holds.
    template <typename Applies, typename ContentOf>
    void rewrite(U128 addr, unsigned len, const Applies& applies, const ContentOf& content) {
        descend(0, 0, addr, len, applies, content);
    }

private:
    template <typename Applies, typename ContentOf>
    void descend(uint32_t node, unsigned level, U128 addr, unsigned len, const Applies& applies, const ContentOf& content) {
        if (len <= level + XP_FIB_STRIDE_BITS) {
            const unsigned first = byte_at(addr, level), count = 1u << (level + XP_FIB_STRIDE_BITS - len);
            for (unsigned e = first; e < first + count; ++e)
                rewrite_entry(node, e, level, (addr & mask(level)) | U128(e) << (120 - level), applies, content);
            return;
        }
        const unsigned e = byte_at(addr, level);
        const uint32_t entry = fib_.nodes[node].entry[e];
        if (!(entry & XP_FIB_NODE)) {
            if (!applies(fib_.results[entry])) return;
            const uint32_t child = add_node(entry);
            fib_.nodes[node].entry[e] = XP_FIB_NODE | child;
        }
        descend(fib_.nodes[node].entry[e] & ~XP_FIB_NODE, level + XP_FIB_STRIDE_BITS, addr, len, applies, content);
        collapse(node, e);
    }

    // The entry e of node covers the range (range, level + 8 bits), all of it under the prefix.
    template <typename Applies, typename ContentOf>
    void rewrite_entry(uint32_t node, unsigned e, unsigned level, U128 range, const Applies& applies, const ContentOf& content) {
        const uint32_t entry = fib_.nodes[node].entry[e];
        const unsigned below = level + XP_FIB_STRIDE_BITS;
        if (entry & XP_FIB_NODE) {
            for (unsigned i = 0; i < XP_FIB_FANOUT; ++i)
                rewrite_entry(entry & ~XP_FIB_NODE, i, below, range | U128(i) << (120 - below), applies, content);
        } else if (applies(fib_.results[entry])) {
            const uint32_t now = fill(content(fib_.results[entry]), range, below);
            fib_.nodes[node].entry[e] = now;
        }
        collapse(node, e);
    }

    // The entry for the range (range, len bits) that content makes.
    uint32_t fill(const Content& c, U128 range, unsigned len) {
        if (!c.peer) return result(c.leaf);
        const VpcFib& peer = *c.peer;
        uint32_t node = 0;
        for (unsigned level = 0;; level += XP_FIB_STRIDE_BITS) {
            const uint32_t e = peer.nodes.at(node).entry[byte_at(range, level)];
            if (!(e & XP_FIB_NODE)) return result(crossed_leaf(c.link, peer.results.at(e), c.own_len));
            if (level + XP_FIB_STRIDE_BITS >= len) return copy(c, e & ~XP_FIB_NODE);
            node = e & ~XP_FIB_NODE;
        }
    }

    // The peer's subtree under node, read through the crossing.
    uint32_t copy(const Content& c, uint32_t peer_node) {
        const uint32_t self = add_node(0);
        for (unsigned i = 0; i < XP_FIB_FANOUT; ++i) {
            const uint32_t e = c.peer->nodes.at(peer_node).entry[i];
            const uint32_t mine =
                (e & XP_FIB_NODE) ? copy(c, e & ~XP_FIB_NODE) : result(crossed_leaf(c.link, c.peer->results.at(e), c.own_len));
            fib_.nodes[self].entry[i] = mine;
        }
        return uniform_leaf(self).value_or(XP_FIB_NODE | self);
    }

    // A child whose entries are all one leaf becomes that leaf in its parent.
    void collapse(uint32_t node, unsigned e) {
        const uint32_t entry = fib_.nodes[node].entry[e];
        if (!(entry & XP_FIB_NODE)) return;
        if (auto leaf = uniform_leaf(entry & ~XP_FIB_NODE)) fib_.nodes[node].entry[e] = *leaf;
    }

    std::optional<uint32_t> uniform_leaf(uint32_t node) const {
        const auto& entry = fib_.nodes[node].entry;
        if (entry[0] & XP_FIB_NODE) return std::nullopt;
        for (uint32_t x : entry)
            if (x != entry[0]) return std::nullopt;
        return entry[0];
    }

    uint32_t add_node(uint32_t fill) {
        xp_fib_node n;
        std::fill(std::begin(n.entry), std::end(n.entry), fill);
        fib_.nodes.push_back(n);
        return static_cast<uint32_t>(fib_.nodes.size() - 1);
    }

    uint32_t result(const xp_fib_result& r) {
        auto [it, fresh] = index_.emplace(bytes_of(r), static_cast<uint32_t>(fib_.results.size()));
        if (fresh) fib_.results.push_back(r);
        return it->second;
    }

    VpcFib& fib_;
    std::unordered_map<LeafBytes, uint32_t, LeafBytesHash> index_;
};

// Applies one change to the trie of its VPC and to its peers' crossings into it.
class ChangePatch {
public:
    ChangePatch(std::map<uint32_t, VpcFib>& tries, const Table<uint32_t, xp_peering>& peerings, const RouteChange& c)
        : tries_(tries), peerings_(peerings), c_(c), len_(c.prefix.prefix_len), addr_(prefix_bits::number_of(c.prefix.addr)) {}

    bool apply(std::set<uint32_t>& touched) {
        for (const auto& [slot, p] : peerings_)
            if (p.vpc_a == p.vpc_b && p.vpc_a == c_.vpc) return false;
        auto own = tries_.find(c_.vpc);
        if (own == tries_.end()) return false;
        std::optional<LengthRoute> deciding = c_.now ? std::optional<LengthRoute>(LengthRoute{len_, *c_.now}) : c_.cover;
        std::optional<Content> content = content_of(deciding);
        if (!content) return false;

        TriePatch(own->second)
            .rewrite(
                addr_, len_, [&](const xp_fib_result& leaf) { return own_applies(leaf); }, [&](const xp_fib_result&) { return *content; });
        touched.insert(c_.vpc);

        for (const auto& [slot, p] : peerings_) {
            const bool a_side = p.vpc_b == c_.vpc;  // the peer is vpc_a and crosses A to B into this VPC
            if (p.vpc_a != c_.vpc && p.vpc_b != c_.vpc) continue;
            const uint32_t peer = a_side ? p.vpc_a : p.vpc_b;
            const uint32_t link = slot * XP_DIR_MAX + (a_side ? XP_DIR_A_TO_B : XP_DIR_B_TO_A);
            auto trie = tries_.find(peer);
            if (trie == tries_.end()) continue;  // no compiled lookup: the tries decide for it
            TriePatch(trie->second)
                .rewrite(
                    addr_, len_, [&](const xp_fib_result& leaf) { return leaf.link == link && peer_applies(leaf); },
                    [&](const xp_fib_result& leaf) {
                        Content crossed;
                        crossed.leaf = deciding ? crossed_leaf(link, &deciding->route, deciding->len, leaf.own_len)
                                                : crossed_leaf(link, nullptr, 0, leaf.own_len);
                        return crossed;
                    });
            touched.insert(peer);
        }
        return true;
    }

private:
    // The addresses under the prefix that its route decides, before the change (a removal) or after it.
    bool own_applies(const xp_fib_result& leaf) const {
        return c_.now ? leaf.own_len == XP_FIB_NO_LEN || leaf.own_len <= len_ : leaf.own_len == len_;
    }
    bool peer_applies(const xp_fib_result& leaf) const {
        return c_.now ? leaf.peer_len == XP_FIB_NO_LEN || leaf.peer_len <= len_ : leaf.peer_len == len_;
    }

    // What the VPC's own route `deciding` makes of the addresses it decides; nullopt when that is
    // the trie of a peer that is not in tries_.
    std::optional<Content> content_of(const std::optional<LengthRoute>& deciding) const {
        Content c;
        if (!deciding) {
            c.leaf = no_route_leaf();
            return c;
        }
        const auto crossing = deciding->route.kind == XP_NH_PEERING ? crossing_of(peerings_, c_.vpc, deciding->route.target) : std::nullopt;
        if (!crossing) {
            c.leaf = own_leaf(deciding->route, deciding->len);
            return c;
        }
        auto peer = tries_.find(crossing->peer);
        if (peer == tries_.end() || crossing->peer == c_.vpc) return std::nullopt;
        c.peer = &peer->second;
        c.link = crossing->link;
        c.own_len = deciding->len;
        return c;
    }

    std::map<uint32_t, VpcFib>& tries_;
    const Table<uint32_t, xp_peering>& peerings_;
    const RouteChange& c_;
    uint8_t len_;
    U128 addr_;
};

template <typename Key>
void collect_changes(const TableDelta<Key, xp_route>& delta, const Table<Key, xp_route>& over, std::vector<RouteChange>& out) {
    for (const auto& [key, change] : delta) {
        RouteChange c{key.vpc, cidr_of(key), change.now, std::nullopt};
        for (int len = c.prefix.prefix_len - 1; len >= 0 && !c.cover; --len) {
            Key shorter;
            if constexpr (std::is_same_v<Key, xp_lpm_key_v4>)
                shorter = lpm_key_v4(key.vpc, Cidr{c.prefix.addr, static_cast<uint8_t>(len)});
            else
                shorter = lpm_key_v6(key.vpc, Cidr{c.prefix.addr, static_cast<uint8_t>(len)});
            if (auto it = over.find(shorter); it != over.end()) c.cover = LengthRoute{static_cast<uint8_t>(len), it->second};
        }
        out.push_back(std::move(c));
    }
}

}  // namespace

std::vector<RouteChange> route_changes(const TablesDelta& delta, const Tables& over, Family family) {
    std::vector<RouteChange> out;
    if (family == Family::V4)
        collect_changes(delta.routes_v4, over.routes_v4, out);
    else
        collect_changes(delta.routes_v6, over.routes_v6, out);
    return out;
}

VpcFib empty_vpc_fib() {
    VpcFib fib;
    fib.nodes.emplace_back();
    std::memset(fib.nodes[0].entry, 0, sizeof(fib.nodes[0].entry));
    fib.results.push_back(no_route_leaf());
    return fib;
}

bool patch_fib(std::map<uint32_t, VpcFib>& tries, const Table<uint32_t, xp_peering>& peerings, std::vector<RouteChange> changes,
               std::set<uint32_t>* touched) {
    // Shorter prefixes first: a change's cover is then already as the tables after all changes
    // hold it, and a longer change patches what a shorter one wrote.
    std::stable_sort(changes.begin(), changes.end(),
                     [](const RouteChange& a, const RouteChange& b) { return a.prefix.prefix_len < b.prefix.prefix_len; });
    std::set<uint32_t> mine;
    for (const auto& c : changes)
        if (!ChangePatch(tries, peerings, c).apply(mine)) return false;
    if (touched) touched->insert(mine.begin(), mine.end());
    return true;
}

}  // namespace xpeer
