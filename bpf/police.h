/* Bandwidth of a peering connection: a token bucket per link direction, shared by all CPUs
 * under a spin lock. Tokens are bytes; the bucket refills at rate_bytes per second up to
 * burst_bytes, and a packet passes only if the whole of it fits. */
#ifndef XPEER_BPF_POLICE_H
#define XPEER_BPF_POLICE_H

#include "maps.h"

#define XP_NSEC_PER_SEC 1000000000ull

/* link: peering slot * XP_DIR_MAX + direction. True if the packet may pass. */
static __always_inline bool police(__u32 link, const struct xp_peering *p, __u32 len)
{
	struct xp_policer *b;
	__u64 now, elapsed, tokens;
	bool pass;

	if (!p->rate_bytes)
		return true; /* unlimited */
	b = bpf_map_lookup_elem(&xp_policers, &link);
	if (!b)
		return true;
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&b->lock);
	elapsed = now - b->last_ns;
	/* An idle second fills any bucket; capping here also keeps elapsed * rate in 64 bits
	 * (rate_bytes < 1.8e10, i.e. below 144 Gbit/s). */
	if (!b->last_ns || elapsed >= XP_NSEC_PER_SEC)
		tokens = p->burst_bytes;
	else
		tokens = b->tokens + elapsed * p->rate_bytes / XP_NSEC_PER_SEC;
	if (tokens > p->burst_bytes)
		tokens = p->burst_bytes;
	pass = tokens >= len;
	if (pass)
		tokens -= len;
	b->tokens = tokens;
	b->last_ns = now;
	bpf_spin_unlock(&b->lock);
	return pass;
}

#endif
