/* Bandwidth of a peering connection: a token bucket per link direction, shared by all CPUs
 * under a spin lock, with a small per-CPU stash in front of it (in the link's counters). Tokens
 * are bytes; the bucket refills at the link's rate per second up to its burst, and a packet
 * passes only if the whole of it fits. The rate is the connection's, or this host's part of it
 * while other hosts send on it too (xp_link_shares). */
#ifndef XPEER_BPF_POLICE_H
#define XPEER_BPF_POLICE_H

#include "maps.h"

#define XP_NSEC_PER_SEC 1000000000ull

/* The rate and depth this host polices a link direction at: the connection's, or the part of it
 * the agent wrote for this connection (until the agent stops renewing it; its least part after). */
struct xp_rate {
	__u64 bytes;
	__u64 burst;
};

static __always_inline struct xp_rate link_rate(__u32 link, const struct xp_peering *p, __u64 now)
{
	struct xp_rate r = { p->rate_bytes, p->burst_bytes };
	const struct xp_link_share *s = bpf_map_lookup_elem(&xp_link_shares, &link);
	__u64 bytes, burst;

	if (!s || !s->owner || s->owner != p->owner)
		return r;
	if ((__s64)(now - s->until_ns) < 0) {
		bytes = s->rate_bytes;
		burst = s->burst_bytes;
	} else {
		bytes = s->fallback_bytes;
		burst = s->fallback_burst_bytes;
	}
	if (bytes && bytes < r.bytes) {
		r.bytes = bytes;
		r.burst = burst && burst < r.burst ? burst : r.burst;
	}
	return r;
}

/* Under b's lock: adds what the time since the last refill earned. */
static __always_inline void refill(struct xp_policer *b, const struct xp_rate *r, __u64 now)
{
	__u64 elapsed, added;

	if (!b->last_ns || (__s64)(now - b->last_ns) >= (__s64)XP_NSEC_PER_SEC) {
		/* unused, or idle for a second: full. The cap also keeps elapsed * rate in 64 bits
		 * (the loader allows at most 100 Gbit/s). */
		b->tokens = r->burst;
		b->last_ns = now;
	} else if ((__s64)(now - b->last_ns) > 0) {
		elapsed = now - b->last_ns;
		added = elapsed * r->bytes / XP_NSEC_PER_SEC;
		/* Advance the clock only by the time the whole bytes were earned in, so that the
		 * remainder is not lost when packets come faster than a byte's worth of time. */
		b->last_ns += added * XP_NSEC_PER_SEC / r->bytes;
		b->tokens += added;
		if (b->tokens >= r->burst) {
			b->tokens = r->burst;
			b->last_ns = now;
		}
	}
	/* Neither: a CPU that read the clock before the last holder did has nothing to add. */
	if (b->tokens > r->burst) /* the burst shrank with a new bandwidth or part */
		b->tokens = r->burst;
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
	struct xp_rate rate;
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
	now = bpf_ktime_get_ns(); /* helpers cannot run under the lock: another CPU may be ahead */
	rate = link_rate(link, p, now);
	if (stash) {
		chunk = rate.burst >> XP_STASH_SHIFT; /* a host's part: its own depth */
		if (have > chunk)
			have = chunk;
	}
	need = len - have;
	bpf_spin_lock(&b->lock);
	refill(b, &rate, now);
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
