#include "compiler/fib_leaf.h"

#include "compiler/resolve.h"

namespace xpeer {
namespace {

xp_fib_result with_lengths(xp_fib_result r, uint8_t own_len, uint8_t peer_len) {
    r.own_len = own_len;
    r.peer_len = peer_len;
    r.lengths_set = 1;
    return r;
}

}  // namespace

xp_fib_result no_route_leaf() { return with_lengths(decided(XP_REASON_DROP_NO_ROUTE), XP_FIB_NO_LEN, XP_FIB_NO_LEN); }

xp_fib_result own_leaf(const xp_route& r, uint8_t own_len) {
    xp_fib_result d = decided(XP_REASON_DROP_NO_ROUTE);
    if (r.kind == XP_NH_RESERVED) d = decided(XP_REASON_DROP_RESERVED);
    if (xp_is_system_route(r.kind)) d = decided(XP_REASON_FORWARD_LOCAL, XP_NO_LINK, &r);
    return with_lengths(d, own_len, XP_FIB_NO_LEN);
}

xp_fib_result crossed_leaf(uint32_t link, const xp_route* peer_route, uint8_t peer_len, uint8_t own_len) {
    xp_fib_result d;
    if (!peer_route)
        d = decided(XP_REASON_DROP_NO_ROUTE, link);
    else if (peer_route->kind == XP_NH_RESERVED)
        d = decided(XP_REASON_DROP_RESERVED, link);
    else if (!xp_is_system_route(peer_route->kind))
        d = decided(XP_REASON_DROP_TRANSIT, link);  // peering is not transitive
    else
        d = decided(XP_REASON_FORWARD_PEERING, link, peer_route);
    return with_lengths(d, own_len, peer_route ? peer_len : XP_FIB_NO_LEN);
}

xp_fib_result crossed_leaf(uint32_t link, const xp_fib_result& peer_leaf, uint8_t own_len) {
    if (peer_leaf.own_len == XP_FIB_NO_LEN) return crossed_leaf(link, nullptr, 0, own_len);
    xp_route route{};  // the peer's own route, as far as a crossing into it can tell
    route.kind = XP_NH_PEERING;
    if (peer_leaf.link == XP_NO_LINK && peer_leaf.reason == XP_REASON_FORWARD_LOCAL) route = peer_leaf.route;
    if (peer_leaf.link == XP_NO_LINK && peer_leaf.reason == XP_REASON_DROP_RESERVED) route.kind = XP_NH_RESERVED;
    return crossed_leaf(link, &route, peer_leaf.own_len, own_len);
}

xp_fib_result decision_of(xp_fib_result leaf) {
    leaf.own_len = leaf.peer_len = leaf.lengths_set = 0;
    return leaf;
}

std::optional<Crossing> crossing_of(const Table<uint32_t, xp_peering>& peerings, uint32_t vpc, uint32_t slot) {
    auto p = peerings.find(slot);
    if (p == peerings.end()) return std::nullopt;
    if (p->second.vpc_a == vpc) return Crossing{slot * XP_DIR_MAX + XP_DIR_A_TO_B, p->second.vpc_b};
    if (p->second.vpc_b == vpc) return Crossing{slot * XP_DIR_MAX + XP_DIR_B_TO_A, p->second.vpc_a};
    return std::nullopt;
}

}  // namespace xpeer
