/* Bandwidth of a peering connection: a token bucket per link direction, shared by all CPUs
 * under a spin lock, with a small per-CPU stash in front of it (in the link's counters). Tokens
 * are bytes; the bucket refills at rate_bytes per second up to burst_bytes, and a packet passes
 * only if the whole of it fits. */
#ifndef XPEER_BPF_POLICE_H
#define XPEER_BPF_POLICE_H

#include "maps.h"

#define XP_NSEC_PER_SEC 1000000000ull

/* Under b's lock: adds what the time since the last refill earned. */
static __always_inline void refill(struct xp_policer *b, const struct xp_peering *p, __u64 now)
{
	__u64 elapsed, added;

	if (!b->last_ns || (__s64)(now - b->last_ns) >= (__s64)XP_NSEC_PER_SEC) {
		/* unused, or idle for a second: full. The cap also keeps elapsed * rate in 64 bits
		 * (the loader allows at most 100 Gbit/s). */
		b->tokens = p->burst_bytes;
		b->last_ns = now;
	} else if ((__s64)(now - b->last_ns) > 0) {
		elapsed = now - b->last_ns;
		added = elapsed * p->rate_bytes / XP_NSEC_PER_SEC;
		/* Advance the clock only by the time the whole bytes were earned in, so that the
		 * remainder is not lost when packets come faster than a byte's worth of time. */
		b->last_ns += added * XP_NSEC_PER_SEC / p->rate_bytes;
		b->tokens += added;
		if (b->tokens >= p->burst_bytes) {
			b->tokens = p->burst_bytes;
			b->last_ns = now;
		}
	}
	/* Neither: a CPU that read the clock before the last holder did has nothing to add. */
	if (b->tokens > p->burst_bytes) /* the burst shrank with a new bandwidth */
		b->tokens = p->burst_bytes;
}

/* link: peering slot * XP_DIR_MAX + direction; counters: this CPU's element of it, holding the
 * stash (none: no stash); accounted: false polices nothing (xp_unaccounted). True if the packet may pass. A packet is paid from this CPU's stash
 * when it can be; otherwise the CPU takes what it lacks, and up to a stash's worth more, from the
 * shared bucket under its lock. */
static __always_inline bool police(__u32 link, struct xp_link_counters *counters, const struct xp_peering *p, __u32 len,
				   bool accounted)
{
	__u64 *stash = counters ? &counters->policer_stash : 0;
	struct xp_policer *b;
	__u64 now, chunk, have = 0, need, grant = 0;
	bool pass;

	if (!accounted || !p->rate_bytes)
		return true; /* unlimited */
	chunk = p->burst_bytes >> XP_STASH_SHIFT;
	if (stash) {
		if (*stash > chunk) /* taken under a larger bandwidth */
			*stash = chunk;
		if (*stash >= len) {
			*stash -= len;
			return true;
		}
		have = *stash;
	} else {
		chunk = 0;
	}
	b = bpf_map_lookup_elem(&xp_policers, &link);
	if (!b)
		return true;
	need = len - have;
	now = bpf_ktime_get_ns(); /* helpers cannot run under the lock: another CPU may be ahead */
	bpf_spin_lock(&b->lock);
	refill(b, p, now);
	pass = b->tokens >= need;
	if (pass) {
		grant = need + chunk;
		if (grant > b->tokens)
			grant = b->tokens;
		b->tokens -= grant;
	}
	bpf_spin_unlock(&b->lock);
	if (pass && stash)
		*stash = have + grant - len;
	return pass;
}

#endif
