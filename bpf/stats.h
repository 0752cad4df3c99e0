/* Counters: every packet is counted once by reason (and, if it was looked up, by the lookup that
 * decided its route); packets that touch a peering connection or a vSwitch link are also counted on that link.
 * packets: what a frame stands for on the wire, 1 in XDP; a GSO super-packet of the TC twin counts
 * as its segments, and len as their bytes (bpf/gso.h), so that both hooks count alike.
 * accounted: a constant, false only in the copy of the router that xp_unaccounted selects, which
 * counts nothing. */
#ifndef XPEER_BPF_STATS_H
#define XPEER_BPF_STATS_H

#include "maps.h"

#define XP_LOOKUP_NONE XP_LOOKUP_MAX

/* lookup: an enum xp_lookup, or XP_LOOKUP_NONE */
static __always_inline void count_verdict(__u32 cpu, enum xp_reason reason, __u32 lookup, __u32 packets, __u32 len,
					  bool accounted)
{
	struct xp_verdicts *v;

	if (!accounted)
		return;
	v = this_cpu_elem(&xp_verdicts, cpu, XP_VERDICTS_PER_CPU, 0);
	if (!v)
		return;
	if (reason < XP_REASON_MAX) {
		v->reason[reason].packets += packets;
		v->reason[reason].bytes += len;
	}
	if (lookup < XP_LOOKUP_MAX)
		v->lookup[lookup] += packets;
}

static __always_inline void count_reason(__u32 cpu, enum xp_reason reason, __u32 packets, __u32 len, bool accounted)
{
	count_verdict(cpu, reason, XP_LOOKUP_NONE, packets, len, accounted);
}

/* c: the rx or tx counters of this_cpu_port() */
static __always_inline void count_port(struct xp_counters *c, __u32 packets, __u32 len, bool accounted)
{
	if (!accounted)
		return;
	c->packets += packets;
	c->bytes += len;
}

/* The port a forwarded packet leaves through: its tx counters. */
static __always_inline void count_egress(__u32 cpu, __u32 ifindex, __u32 packets, __u32 len, bool accounted)
{
	struct xp_port *out;

	if (!accounted)
		return;
	out = this_cpu_port(cpu, ifindex);
	if (out)
		count_port(&out->tx, packets, len, accounted);
}

/* This CPU's element of a link (peering slot * XP_DIR_MAX + direction): its counters and its
 * policer stash. None for XP_NO_LINK, nor in the build without counters. */
static __always_inline struct xp_link_counters *this_cpu_link(__u32 cpu, __u32 link, bool accounted)
{
	if (!accounted || link == XP_NO_LINK)
		return 0;
	return this_cpu_elem(&xp_link_stats, cpu, XP_LINKS_PER_CPU, link);
}

/* c: this_cpu_link() of the packet's link */
static __always_inline void count_link(struct xp_link_counters *c, enum xp_reason reason, __u32 packets, __u32 len)
{
	if (!c)
		return;
	switch (reason) {
	case XP_REASON_FORWARD_PEERING:
		c->packets += packets;
		c->bytes += len;
		break;
	case XP_REASON_DROP_INACTIVE:
		c->drop_inactive += packets;
		break;
	case XP_REASON_DROP_NO_ROUTE:
		c->drop_no_route += packets;
		break;
	case XP_REASON_DROP_TRANSIT:
		c->drop_transit += packets;
		break;
	case XP_REASON_DROP_TTL:
		c->drop_ttl += packets;
		break;
	case XP_REASON_DROP_POLICER:
		c->drop_policer += packets;
		break;
	default:
		break;
	}
}

#endif
