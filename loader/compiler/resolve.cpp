#include "compiler/resolve.h"

#include <algorithm>

#include "compiler/lpm_key.h"

namespace xpeer {
namespace {

const xp_route* longest_match(const Tables& t, uint32_t vpc, const IpAddr& dst) {
    for (int len = static_cast<int>(dst.bits()); len >= 0; --len) {
        Cidr net{dst, static_cast<uint8_t>(len)};
        for (size_t i = 0; i < net.addr.bytes.size(); ++i) {
            const int bits = std::clamp(len - static_cast<int>(i * 8), 0, 8);
            net.addr.bytes[i] &= bits == 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
        }
        if (dst.family == Family::V4) {
            if (auto it = t.routes_v4.find(lpm_key_v4(vpc, net)); it != t.routes_v4.end()) return &it->second;
        } else if (auto it = t.routes_v6.find(lpm_key_v6(vpc, net)); it != t.routes_v6.end()) {
            return &it->second;
        }
    }
    return nullptr;
}

}  // namespace

xp_fib_result decided(uint32_t reason, uint32_t link, const xp_route* route) {
    xp_fib_result r{};
    r.reason = reason;
    r.link = link;
    if (route) r.route = *route;
    return r;
}

xp_fib_result resolve_in_tables(const Tables& t, uint32_t vpc, const IpAddr& dst) {
    const xp_route* route = longest_match(t, vpc, dst);
    if (!route) return decided(XP_REASON_DROP_NO_ROUTE);
    if (route->kind == XP_NH_RESERVED) return decided(XP_REASON_DROP_RESERVED);
    if (xp_is_system_route(route->kind)) return decided(XP_REASON_FORWARD_LOCAL, XP_NO_LINK, route);
    if (route->kind != XP_NH_PEERING) return decided(XP_REASON_DROP_NO_ROUTE);

    auto peering = t.peerings.find(route->target);
    if (peering == t.peerings.end()) return decided(XP_REASON_DROP_NO_ROUTE);
    uint32_t direction, peer;
    if (peering->second.vpc_a == vpc) {
        direction = XP_DIR_A_TO_B;
        peer = peering->second.vpc_b;
    } else if (peering->second.vpc_b == vpc) {
        direction = XP_DIR_B_TO_A;
        peer = peering->second.vpc_a;
    } else {
        return decided(XP_REASON_DROP_NO_ROUTE);  // a route naming a peering this VPC is not part of
    }
    const uint32_t link = route->target * XP_DIR_MAX + direction;
    if (!peering->second.active) return decided(XP_REASON_DROP_INACTIVE, link);

    route = longest_match(t, peer, dst);
    if (!route) return decided(XP_REASON_DROP_NO_ROUTE, link);
    if (route->kind == XP_NH_RESERVED) return decided(XP_REASON_DROP_RESERVED, link);
    if (!xp_is_system_route(route->kind)) return decided(XP_REASON_DROP_TRANSIT, link);  // peering is not transitive
    return decided(XP_REASON_FORWARD_PEERING, link, route);
}

xp_fib_result with_peering_state(const Tables& t, xp_fib_result decision) {
    if (decision.link == XP_NO_LINK) return decision;
    auto peering = t.peerings.find(decision.link / XP_DIR_MAX);
    if (peering == t.peerings.end()) return decided(XP_REASON_DROP_NO_ROUTE);
    if (!peering->second.active) return decided(XP_REASON_DROP_INACTIVE, decision.link);
    return decision;
}

}  // namespace xpeer
