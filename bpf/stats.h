/* Counters: every packet is counted once by reason; packets that touch a peering connection
 * or a vSwitch link are also counted on that link. */
#ifndef XPEER_BPF_STATS_H
#define XPEER_BPF_STATS_H

#include "maps.h"

static __always_inline void count_reason(enum xp_reason reason, __u32 len)
{
	struct xp_counters *c;

	if (XP_UNACCOUNTED)
		return;
	c = this_cpu_elem(&xp_reasons, XP_REASONS_PER_CPU, reason);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

static __always_inline void count_port(__u32 slot, enum xp_port_direction dir, __u32 len)
{
	struct xp_counters *c;

	if (XP_UNACCOUNTED)
		return;
	c = this_cpu_elem(&xp_port_stats, XP_PORT_STATS_PER_CPU, slot * 2 + dir);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

static __always_inline void count_cache(enum xp_cache_result result)
{
	__u64 *n;

	if (XP_UNACCOUNTED)
		return;
	n = this_cpu_elem(&xp_cache_stats, XP_CACHE_STATS_PER_CPU, result);
	if (n)
		(*n)++;
}

/* link: peering slot * XP_DIR_MAX + direction, or XP_NO_LINK */
static __always_inline void count_link(__u32 link, enum xp_reason reason, __u32 len)
{
	struct xp_link_counters *c;

	if (XP_UNACCOUNTED || link == XP_NO_LINK)
		return;
	c = this_cpu_elem(&xp_link_stats, XP_LINKS_PER_CPU, link);
	if (!c)
		return;
	switch (reason) {
	case XP_REASON_FORWARD_PEERING:
		c->packets++;
		c->bytes += len;
		break;
	case XP_REASON_DROP_INACTIVE:
		c->drop_inactive++;
		break;
	case XP_REASON_DROP_NO_ROUTE:
		c->drop_no_route++;
		break;
	case XP_REASON_DROP_TRANSIT:
		c->drop_transit++;
		break;
	case XP_REASON_DROP_TTL:
		c->drop_ttl++;
		break;
	case XP_REASON_DROP_POLICER:
		c->drop_policer++;
		break;
	default:
		break;
	}
}

#endif
