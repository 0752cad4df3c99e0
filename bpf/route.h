/* Where a packet's fate is decided: the ingress VPC's table, then at most one peering crossing
 * into the peer VPC's table, where only the peer's own vSwitches (system routes) may match. */
#ifndef XPEER_BPF_ROUTE_H
#define XPEER_BPF_ROUTE_H

#include "maps.h"
#include "police.h"
#include "stats.h"

struct decision {
	const struct xp_route *route; /* the vSwitch to leave through, when forwarded */
	__u32 link;                   /* peering slot * XP_DIR_MAX + direction, or XP_NO_LINK */
};

static __always_inline const struct xp_route *lookup_route(__u32 vpc, const void *dst, bool is_v6)
{
	if (is_v6) {
		struct xp_lpm_key_v6 key = { .prefixlen = XP_LPM_VPC_BITS + 128, .vpc = vpc };

		__builtin_memcpy(key.addr, dst, sizeof(key.addr));
		return bpf_map_lookup_elem(&xp_routes_v6, &key);
	} else {
		struct xp_lpm_key_v4 key = { .prefixlen = XP_LPM_VPC_BITS + 32, .vpc = vpc };

		__builtin_memcpy(key.addr, dst, sizeof(key.addr));
		return bpf_map_lookup_elem(&xp_routes_v4, &key);
	}
}

/* ip_len: the IP packet's length, charged to the bandwidth of a peering crossing (bandwidth is
 * IP traffic, as clouds sell it: the Ethernet header between namespaces is not part of it).
 * ttl: the packet's TTL or hop limit; one that would expire is dropped before it costs tokens. */
static __always_inline enum xp_reason decide(__u32 vpc, const void *dst, bool is_v6, __u32 ip_len, __u8 ttl,
					     struct decision *d)
{
	const struct xp_route *route = lookup_route(vpc, dst, is_v6);
	const struct xp_peering *peering;
	__u32 slot, peer_vpc, dir;

	d->route = 0;
	d->link = XP_NO_LINK;
	if (!route)
		return XP_REASON_DROP_NO_ROUTE;
	if (route->kind == XP_NH_VSWITCH) {
		if (ttl <= 1)
			return XP_REASON_DROP_TTL;
		d->route = route;
		return XP_REASON_FORWARD_LOCAL;
	}
	if (route->kind != XP_NH_PEERING)
		return XP_REASON_DROP_NO_ROUTE;

	slot = route->target;
	peering = bpf_map_lookup_elem(&xp_peerings, &slot);
	if (!peering)
		return XP_REASON_DROP_NO_ROUTE;
	if (peering->vpc_a == vpc) {
		dir = XP_DIR_A_TO_B;
		peer_vpc = peering->vpc_b;
	} else if (peering->vpc_b == vpc) {
		dir = XP_DIR_B_TO_A;
		peer_vpc = peering->vpc_a;
	} else {
		return XP_REASON_DROP_NO_ROUTE; /* a route naming a peering this VPC is not part of */
	}
	d->link = slot * XP_DIR_MAX + dir;
	if (!peering->active)
		return XP_REASON_DROP_INACTIVE;

	route = lookup_route(peer_vpc, dst, is_v6);
	if (!route)
		return XP_REASON_DROP_NO_ROUTE;
	if (route->kind != XP_NH_VSWITCH)
		return XP_REASON_DROP_TRANSIT; /* peering is not transitive */
	if (ttl <= 1)
		return XP_REASON_DROP_TTL;
	if (!police(d->link, peering, ip_len))
		return XP_REASON_DROP_POLICER;
	d->route = route;
	return XP_REASON_FORWARD_PEERING;
}

#endif
