#include "compiler/fib.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <unordered_map>

#include "compiler/fib_leaf.h"
#include "compiler/prefix_bits.h"
#include "model/errors.h"

namespace xpeer {
namespace {

using prefix_bits::byte_at;
using prefix_bits::mask;
using prefix_bits::number_of;
using prefix_bits::U128;
using prefix_bits::U128Hash;

struct Route {
    U128 addr;
    uint8_t len;
    xp_route route;
};

template <typename T>
bool addr_then_len(const T& a, const T& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.len < b.len;
}

// One VPC's routes of one family, for the questions the composition asks.
class RouteSet {
public:
    void add(U128 addr, uint8_t len, const xp_route& r) { sorted_.push_back({addr, len, r}); }

    void finish() {
        std::sort(sorted_.begin(), sorted_.end(), addr_then_len<Route>);
        for (uint32_t i = 0; i < sorted_.size(); ++i) {
            const auto len = sorted_[i].len;
            if (by_len_[len].empty()) lengths_.push_back(len);
            by_len_[len].emplace(sorted_[i].addr, i);
        }
        std::sort(lengths_.rbegin(), lengths_.rend());
    }

    const std::vector<Route>& all() const { return sorted_; }

    // The longest route no longer than max_len that contains addr.
    const Route* longest_containing(U128 addr, unsigned max_len) const {
        for (unsigned len : lengths_) {
            if (len > max_len) continue;
            if (auto it = by_len_[len].find(addr & mask(len)); it != by_len_[len].end()) return &sorted_[it->second];
        }
        return nullptr;
    }

    // Is there a route containing addr whose length is in (above, up_to]?
    bool any_between(U128 addr, unsigned above, unsigned up_to) const {
        for (unsigned len : lengths_)
            if (len > above && len <= up_to && by_len_[len].contains(addr & mask(len))) return true;
        return false;
    }

    // The routes strictly inside addr/len (longer ones), in address order.
    std::span<const Route> inside(U128 addr, unsigned len) const {
        const Route from{addr, static_cast<uint8_t>(len + 1), {}};
        auto first = std::lower_bound(sorted_.begin(), sorted_.end(), from, addr_then_len<Route>);
        const U128 last = addr | ~mask(len);
        auto end = std::upper_bound(first, sorted_.end(), last, [](U128 a, const Route& r) { return a < r.addr; });
        return {first, end};
    }

private:
    std::vector<Route> sorted_;
    std::array<std::unordered_map<U128, uint32_t, U128Hash>, 129> by_len_;
    std::vector<unsigned> lengths_;  // present, longest first
};

using RouteSets = std::unordered_map<uint32_t, RouteSet>;  // by VPC key

template <typename Key>
void collect(RouteSets& sets, const Table<Key, xp_route>& routes) {
    for (const auto& [key, route] : routes)
        sets[key.vpc].add(number_of(key.addr, sizeof(key.addr)), static_cast<uint8_t>(key.prefixlen - XP_LPM_VPC_BITS), route);
    for (auto& [vpc, set] : sets) set.finish();
}

RouteSets route_sets(const Tables& t, Family family) {
    RouteSets sets;
    if (family == Family::V4)
        collect(sets, t.routes_v4);
    else
        collect(sets, t.routes_v6);
    return sets;
}

struct Decision {
    U128 addr;
    uint8_t len;
    xp_fib_result result;
};

// resolve_in_tables()'s decision as prefixes of one table: for every address, the longest of
// them that contains it holds the decision for it.
class Composition {
public:
    Composition(const Tables& t, const RouteSets& sets, uint32_t vpc) : t_(t), sets_(sets), vpc_(vpc) {}

    std::vector<Decision> decisions() {
        const RouteSet* own = set_of(vpc_);
        if (!own) return {};
        for (const Route& r : own->all()) {
            const auto crossing = r.route.kind == XP_NH_PEERING ? crossing_of(t_.peerings, vpc_, r.route.target) : std::nullopt;
            if (!crossing) {
                emit(r.addr, r.len, own_leaf(r.route, r.len));
                continue;
            }
            const RouteSet* peer_routes = set_of(crossing->peer);
            const Route* base = peer_routes ? peer_routes->longest_containing(r.addr, r.len) : nullptr;
            emit(r.addr, r.len, crossed(crossing->link, base, r.len));
            if (!peer_routes) continue;
            // The peer's longer routes under this one decide for their addresses, except where a
            // longer route of this VPC takes them first.
            for (const Route& q : peer_routes->inside(r.addr, r.len))
                if (!own->any_between(q.addr, r.len, q.len)) emit(q.addr, q.len, crossed(crossing->link, &q, r.len));
        }
        return std::move(out_);
    }

private:
    const RouteSet* set_of(uint32_t vpc) const {
        auto it = sets_.find(vpc);
        return it == sets_.end() ? nullptr : &it->second;
    }

    static xp_fib_result crossed(uint32_t link, const Route* peer_route, uint8_t own_len) {
        return peer_route ? crossed_leaf(link, &peer_route->route, peer_route->len, own_len) : crossed_leaf(link, nullptr, 0, own_len);
    }

    void emit(U128 addr, uint8_t len, const xp_fib_result& result) { out_.push_back({addr, len, result}); }

    const Tables& t_;
    const RouteSets& sets_;
    uint32_t vpc_;
    std::vector<Decision> out_;
};

// Controlled prefix expansion: each node covers 8 more bits of the address; a prefix ending
// within a node's stride fills the entries it covers (longer prefixes last, so they win), a prefix
// ending deeper makes the entry a child node, which inherits the entry's decision.
class TrieBuilder {
public:
    VpcFib build(std::vector<Decision> decisions) {
        std::sort(decisions.begin(), decisions.end(), addr_then_len<Decision>);
        fib_.results.push_back(no_route_leaf());
        index_.emplace(bytes_of(fib_.results[0]), 0);
        uint32_t whole = 0;  // a /0 route's decision
        auto first = decisions.begin();
        for (; first != decisions.end() && first->len == 0; ++first) whole = result_index(first->result);
        node(0, whole, std::span<const Decision>(first, decisions.end()));
        return std::move(fib_);
    }

private:
    uint32_t result_index(const xp_fib_result& r) {
        auto [it, fresh] = index_.emplace(bytes_of(r), static_cast<uint32_t>(fib_.results.size()));
        if (fresh) fib_.results.push_back(r);
        return it->second;
    }

    // The node of the region whose first `level` bits the decisions share; its index.
    uint32_t node(unsigned level, uint32_t inherited, std::span<const Decision> inside) {
        const auto self = static_cast<uint32_t>(fib_.nodes.size());
        fib_.nodes.emplace_back();
        std::array<uint32_t, XP_FIB_FANOUT> entry;
        entry.fill(inherited);

        // In address order a prefix comes after every prefix that contains it: one pass fills the
        // entries, and a child's region has its decision before its own node is made.
        for (size_t i = 0; i < inside.size();) {
            const Decision& d = inside[i];
            const unsigned first = byte_at(d.addr, level);
            if (d.len <= level + XP_FIB_STRIDE_BITS) {
                std::fill_n(entry.begin() + first, 1u << (level + XP_FIB_STRIDE_BITS - d.len), result_index(d.result));
                ++i;
                continue;
            }
            size_t end = i;
            while (end < inside.size() && byte_at(inside[end].addr, level) == first) ++end;
            entry[first] = XP_FIB_NODE | node(level + XP_FIB_STRIDE_BITS, entry[first], inside.subspan(i, end - i));
            i = end;
        }
        std::memcpy(fib_.nodes[self].entry, entry.data(), sizeof(fib_.nodes[self].entry));
        return self;
    }

    VpcFib fib_;
    std::unordered_map<LeafBytes, uint32_t, LeafBytesHash> index_;
};

VpcFib compile_with(const Tables& t, const RouteSets& sets, uint32_t vpc) {
    return TrieBuilder().build(Composition(t, sets, vpc).decisions());
}

}  // namespace

VpcFib compile_vpc_fib(const Tables& t, uint32_t vpc, Family family) { return compile_with(t, route_sets(t, family), vpc); }

Fib compile_fib(const Tables& t, const std::set<uint32_t>* only) {
    Fib fib;
    for (auto family : {Family::V4, Family::V6}) {
        const RouteSets sets = route_sets(t, family);
        auto& out = family == Family::V4 ? fib.v4 : fib.v6;
        for (const auto& [vpc, routes] : sets)
            if (!only || only->contains(vpc)) out.emplace(vpc, compile_with(t, sets, vpc));
    }
    return fib;
}

const xp_fib_result& fib_lookup(const VpcFib& fib, const IpAddr& dst) {
    uint32_t entry = XP_FIB_NODE;  // the root
    for (size_t i = 0; i < dst.size(); ++i) {
        entry = fib.nodes.at(entry & ~XP_FIB_NODE).entry[dst.bytes[i]];
        if (!(entry & XP_FIB_NODE)) return fib.results.at(entry);
    }
    throw errors::internal_error_fib("compiled lookup: a node below the last byte of " + dst.str());
}

namespace {

bool same_entry(const VpcFib& a, uint32_t ea, const VpcFib& b, uint32_t eb) {
    const bool node_a = ea & XP_FIB_NODE, node_b = eb & XP_FIB_NODE;
    if (!node_a && !node_b) return std::memcmp(&a.results.at(ea), &b.results.at(eb), sizeof(xp_fib_result)) == 0;
    for (unsigned i = 0; i < XP_FIB_FANOUT; ++i) {
        const uint32_t sub_a = node_a ? a.nodes.at(ea & ~XP_FIB_NODE).entry[i] : ea;
        const uint32_t sub_b = node_b ? b.nodes.at(eb & ~XP_FIB_NODE).entry[i] : eb;
        if (!same_entry(a, sub_a, b, sub_b)) return false;
    }
    return true;
}

}  // namespace

bool same_decisions(const VpcFib& a, const VpcFib& b) {
    if (a.nodes.empty() || b.nodes.empty()) return a.nodes.empty() == b.nodes.empty();
    return same_entry(a, XP_FIB_NODE, b, XP_FIB_NODE);
}

size_t reachable_nodes(const VpcFib& fib) {
    if (fib.nodes.empty()) return 0;
    size_t n = 0;
    std::vector<uint32_t> todo{0};
    while (!todo.empty()) {
        const uint32_t i = todo.back();
        todo.pop_back();
        ++n;
        for (uint32_t e : fib.nodes.at(i).entry)
            if (e & XP_FIB_NODE) todo.push_back(e & ~XP_FIB_NODE);
    }
    return n;
}

}  // namespace xpeer
