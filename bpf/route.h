/* Where a packet's fate is decided: decide() at the bottom. */
#ifndef XPEER_BPF_ROUTE_H
#define XPEER_BPF_ROUTE_H

#include "fib.h"
#include "maps.h"
#include "police.h"
#include "stats.h"

struct decision {
	const struct xp_route *route;		/* the vSwitch to leave through, when forwarded */
	const struct xp_peering *peering;	/* the connection crossed, if any */
	__u32 link;				/* peering slot * XP_DIR_MAX + direction, or XP_NO_LINK */
	__u32 cpu;				/* bpf_get_smp_processor_id(), set by the caller */
	__u32 lookup;				/* enum xp_lookup: what decided */
	__u32 vni;				/* an XP_NH_REMOTE route's: the key of the VPC whose route it is */
	struct xp_link_counters *link_counters; /* this CPU's element of the link, once looked up */
};

static __always_inline const struct xp_route *lookup_route(__u32 vpc, const __u32 *dst, bool is_v6)
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

/* The tries: the ingress VPC's table, then at most one peering crossing into the peer VPC's
 * table, where only the peer's own vSwitches (system routes) may match. */
static __always_inline enum xp_reason resolve(__u32 vpc, const __u32 *dst, bool is_v6, struct decision *d)
{
	const struct xp_route *route = lookup_route(vpc, dst, is_v6);
	const struct xp_peering *peering;
	__u32 slot, peer_vpc, dir;

	if (!route)
		return XP_REASON_DROP_NO_ROUTE;
	if (route->kind == XP_NH_RESERVED)
		return XP_REASON_DROP_RESERVED;
	if (xp_is_system_route(route->kind)) {
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
	d->peering = peering;
	if (!peering->active)
		return XP_REASON_DROP_INACTIVE;

	route = lookup_route(peer_vpc, dst, is_v6);
	if (!route)
		return XP_REASON_DROP_NO_ROUTE;
	if (route->kind == XP_NH_RESERVED)
		return XP_REASON_DROP_RESERVED;
	if (!xp_is_system_route(route->kind))
		return XP_REASON_DROP_TRANSIT; /* peering is not transitive */
	d->route = route;
	return XP_REASON_FORWARD_PEERING;
}

/* The VPC's compiled lookup of dst, or 0: it has none now, or they are off (xp_control), and the
 * tries decide. */
static __always_inline const struct xp_fib_result *compiled_lookup(__u32 vpc, const __u32 *dst, bool is_v6)
{
	__u32 zero = 0, addr[4] = {}; /* the destination, zero-padded as fib_lookup walks it */
	const struct xp_control *ctl = bpf_map_lookup_elem(&xp_control, &zero);

	if (!ctl || ctl->compiled_off)
		return 0;
	__builtin_memcpy(addr, dst, is_v6 ? 16 : 4);
	return fib_lookup(vpc, addr, is_v6);
}

static __always_inline bool is_forward(enum xp_reason reason)
{
	return reason == XP_REASON_FORWARD_LOCAL || reason == XP_REASON_FORWARD_PEERING;
}

/* A decision taken from the compiled lookup that crosses d->link: the connection must still be
 * this VPC's, and active, for the decision to stand. */
static __always_inline enum xp_reason check_crossing(__u32 vpc, struct decision *d, enum xp_reason reason)
{
	__u32 slot = d->link / XP_DIR_MAX;

	d->peering = bpf_map_lookup_elem(&xp_peerings, &slot);
	if (!d->peering)
		return XP_REASON_DROP_NO_ROUTE;
	if ((d->link % XP_DIR_MAX == XP_DIR_A_TO_B ? d->peering->vpc_a : d->peering->vpc_b) != vpc)
		return XP_REASON_DROP_NO_ROUTE;
	if (!d->peering->active)
		return XP_REASON_DROP_INACTIVE;
	return reason;
}

/* Where a packet's fate is decided: the VPC's compiled lookup, or without one the tries
 * (resolve); then what depends on the packet itself.
 * dst: the destination in the IP header, 1 word (IPv4) or 4; typed as words so that copying it
 * takes word loads (through a void pointer clang copies it a byte at a time).
 * ip_len: the IP packet's length, charged to the bandwidth of a peering crossing (bandwidth is
 * IP traffic, as clouds sell it: the Ethernet header between namespaces is not part of it).
 * ttl: the packet's TTL or hop limit; one that would expire is dropped before it costs tokens.
 * accounted: false polices nothing (stats.h). */
static __always_inline enum xp_reason decide(__u32 vpc, const __u32 *dst, bool is_v6, __u32 ip_len, __u8 ttl,
					     struct decision *d, bool accounted)
{
	const struct xp_fib_result *compiled;
	enum xp_reason reason;

	d->route = 0;
	d->peering = 0;
	d->link = XP_NO_LINK;
	d->lookup = XP_LOOKUP_TRIES;
	d->link_counters = 0;
	d->vni = 0;
	compiled = compiled_lookup(vpc, dst, is_v6);
	if (compiled) {
		d->lookup = XP_LOOKUP_COMPILED;
		d->route = &compiled->route;
		d->link = compiled->link;
		reason = compiled->reason;
		if (d->link != XP_NO_LINK) {
			reason = check_crossing(vpc, d, reason);
			if (reason != compiled->reason)
				return reason;
		}
	} else {
		reason = resolve(vpc, dst, is_v6, d);
	}
	if (!is_forward(reason))
		return reason;
	if (ttl <= 1)
		return XP_REASON_DROP_TTL;
	d->vni = vpc; /* the route's VPC: the ingress one, or the peer after a crossing */
	if (d->peering)
		d->vni = d->link % XP_DIR_MAX == XP_DIR_A_TO_B ? d->peering->vpc_b : d->peering->vpc_a;
	if (reason == XP_REASON_FORWARD_LOCAL)
		return reason;
	if (!d->peering) /* a compiled crossing that names no link: not one the loader writes */
		return XP_REASON_DROP_NO_ROUTE;
	d->link_counters = this_cpu_link(d->cpu, d->link, accounted);
	if (!police(d->link, d->link_counters, d->peering, ip_len, accounted))
		return XP_REASON_DROP_POLICER;
	return reason;
}

#endif
