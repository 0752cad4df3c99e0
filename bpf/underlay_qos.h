/* Between hosts: the bandwidth of this host's underlay, and which link types go first when it is
 * full (struct xp_underlay_qos). One token bucket for every CPU, as a link's; no stash, because
 * whether a frame may take from it depends on how full it is. */
#ifndef XPEER_BPF_UNDERLAY_QOS_H
#define XPEER_BPF_UNDERLAY_QOS_H

#include "police.h"

/* wire_len: the length on the underlay of a frame, or of the segments of a GSO super-packet of
 * the TC twin, outer headers included; dscp: its outer DSCP. True if it may leave: the bucket
 * keeps the reserve of its DSCP after it. accounted: false polices nothing, as police(). */
static __always_inline bool underlay_admits(__u8 dscp, __u32 wire_len, bool accounted)
{
	__u32 zero = 0;
	const struct xp_underlay_qos *q;
	struct xp_policer *b;
	struct xp_rate rate;
	__u64 now, keep;
	bool pass;

	if (!accounted)
		return true;
	q = bpf_map_lookup_elem(&xp_underlay_qos, &zero);
	if (!q || !q->rate_bytes)
		return true; /* not policed */
	b = bpf_map_lookup_elem(&xp_underlay_policer, &zero);
	if (!b)
		return true;
	rate.bytes = q->rate_bytes;
	rate.burst = q->burst_bytes;
	keep = q->reserve_bytes[dscp & (XP_DSCP_MAX - 1)];
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&b->lock);
	refill(b, &rate, now);
	pass = b->tokens >= keep && b->tokens - keep >= wire_len;
	if (pass)
		b->tokens -= wire_len;
	bpf_spin_unlock(&b->lock);
	return pass;
}

#endif
