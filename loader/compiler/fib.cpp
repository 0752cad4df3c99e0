#include "compiler/fib.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <unordered_map>

#include "compiler/resolve.h"
#include "model/errors.h"

namespace xpeer {
namespace {

// An address of either family as one number, its first byte highest (IPv4 in the top 32 bits).
__extension__ typedef unsigned __int128 U128;

U128 number_of(const uint8_t* bytes, size_t n) {
    U128 v = 0;
    for (size_t i = 0; i < 16; ++i) v = v << 8 | (i < n ? bytes[i] : 0);
    return v;
}
U128 mask(unsigned len) { return len == 0 ? 0 : ~U128(0) << (128 - len); }
unsigned byte_at(U128 addr, unsigned level_bits) { return static_cast<unsigned>(addr >> (120 - level_bits)) & 0xff; }

struct U128Hash {
    size_t operator()(U128 v) const {
        return std::hash<uint64_t>{}(static_cast<uint64_t>(v) ^ static_cast<uint64_t>(v >> 64) * 0x9e3779b97f4a7c15ull);
    }
};

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
    const xp_route* longest_containing(U128 addr, unsigned max_len) const {
        for (unsigned len : lengths_) {
            if (len > max_len) continue;
            if (auto it = by_len_[len].find(addr & mask(len)); it != by_len_[len].end()) return &sorted_[it->second].route;
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
            if (r.route.kind != XP_NH_PEERING) {
                emit(r.addr, r.len, own_decision(r.route));
                continue;
            }
            uint32_t link = XP_NO_LINK, peer = 0;
            if (!crossing(r.route.target, link, peer)) {
                emit(r.addr, r.len, decided(XP_REASON_DROP_NO_ROUTE));
                continue;
            }
            const RouteSet* peer_routes = set_of(peer);
            emit(r.addr, r.len, after_crossing(link, peer_routes ? peer_routes->longest_containing(r.addr, r.len) : nullptr));
            if (!peer_routes) continue;
            // The peer's longer routes under this one decide for their addresses, except where a
            // longer route of this VPC takes them first.
            for (const Route& q : peer_routes->inside(r.addr, r.len))
                if (!own->any_between(q.addr, r.len, q.len)) emit(q.addr, q.len, after_crossing(link, &q.route));
        }
        return std::move(out_);
    }

private:
    const RouteSet* set_of(uint32_t vpc) const {
        auto it = sets_.find(vpc);
        return it == sets_.end() ? nullptr : &it->second;
    }

    static xp_fib_result own_decision(const xp_route& r) {
        if (r.kind == XP_NH_RESERVED) return decided(XP_REASON_DROP_RESERVED);
        if (r.kind == XP_NH_VSWITCH) return decided(XP_REASON_FORWARD_LOCAL, XP_NO_LINK, &r);
        return decided(XP_REASON_DROP_NO_ROUTE);
    }

    bool crossing(uint32_t slot, uint32_t& link, uint32_t& peer) const {
        auto p = t_.peerings.find(slot);
        if (p == t_.peerings.end()) return false;
        if (p->second.vpc_a == vpc_) {
            link = slot * XP_DIR_MAX + XP_DIR_A_TO_B;
            peer = p->second.vpc_b;
        } else if (p->second.vpc_b == vpc_) {
            link = slot * XP_DIR_MAX + XP_DIR_B_TO_A;
            peer = p->second.vpc_a;
        } else {
            return false;
        }
        return true;
    }

    static xp_fib_result after_crossing(uint32_t link, const xp_route* peer_route) {
        if (!peer_route) return decided(XP_REASON_DROP_NO_ROUTE, link);
        if (peer_route->kind == XP_NH_RESERVED) return decided(XP_REASON_DROP_RESERVED, link);
        if (peer_route->kind != XP_NH_VSWITCH) return decided(XP_REASON_DROP_TRANSIT, link);
        return decided(XP_REASON_FORWARD_PEERING, link, peer_route);
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
        fib_.results.push_back(decided(XP_REASON_DROP_NO_ROUTE));
        index_.emplace(key_of(fib_.results[0]), 0);
        uint32_t whole = 0;  // a /0 route's decision
        auto first = decisions.begin();
        for (; first != decisions.end() && first->len == 0; ++first) whole = result_index(first->result);
        node(0, whole, std::span<const Decision>(first, decisions.end()));
        return std::move(fib_);
    }

private:
    using ResultKey = std::array<uint8_t, sizeof(xp_fib_result)>;
    static ResultKey key_of(const xp_fib_result& r) {
        ResultKey k;
        std::memcpy(k.data(), &r, sizeof(r));
        return k;
    }

    uint32_t result_index(const xp_fib_result& r) {
        auto [it, fresh] = index_.emplace(key_of(r), static_cast<uint32_t>(fib_.results.size()));
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
    std::map<ResultKey, uint32_t> index_;
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

}  // namespace xpeer
