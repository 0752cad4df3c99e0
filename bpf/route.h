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
	__u32 cache;				/* enum xp_cache_result, or XP_CACHE_NOT_ASKED */
	struct xp_link_counters *link_counters; /* this CPU's element of the link, once looked up */
	struct xp_cached_route cached;		/* a route cache hit is copied here */
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
	if (route->kind == XP_NH_VSWITCH) {
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
	if (route->kind != XP_NH_VSWITCH)
		return XP_REASON_DROP_TRANSIT; /* peering is not transitive */
	d->route = route;
	return XP_REASON_FORWARD_PEERING;
}

/* The route cache: what resolve() decided for one destination of one VPC. addr is the
 * destination zero-padded to 16 bytes, as an entry holds it. */
static __always_inline __u32 cache_check(const struct xp_cached_route *e)
{
	const __u32 *a = (const __u32 *)e->addr;

	return (__u32)e->generation ^ (__u32)(e->generation >> 32) ^ e->vpc ^ a[0] ^ a[1] ^ a[2] ^ a[3] ^
	       e->route.kind ^ e->route.target ^ e->link ^ e->reason;
}

/* Does entry e (of the cache or the memo) hold generation gen's answer for this key? */
static __always_inline bool holds_answer(const volatile struct xp_cached_route *e, __u64 gen, __u32 vpc,
					 const __u32 *addr)
{
	const volatile __u32 *a = (const volatile __u32 *)e->addr;

	return e->generation == gen && e->vpc == vpc && a[0] == addr[0] && a[1] == addr[1] && a[2] == addr[2] &&
	       a[3] == addr[3];
}

static __always_inline void *cache_lookup(__u32 vpc, const __u32 *addr, bool is_v6)
{
	if (is_v6) {
		struct xp_cache_key_v6 key = { .vpc = vpc };

		__builtin_memcpy(key.addr, addr, sizeof(key.addr));
		return bpf_map_lookup_elem(&xp_route_cache_v6, &key);
	} else {
		struct xp_cache_key_v4 key = { .vpc = vpc };

		__builtin_memcpy(key.addr, addr, sizeof(key.addr));
		return bpf_map_lookup_elem(&xp_route_cache_v4, &key);
	}
}

/* A hit of generation gen, copied into d->cached. An LRU element is reused at once when it is
 * replaced or evicted, even while another CPU reads it: the copy must fold to its check word, and
 * the element must still name the same generation and key after the copy. */
static __always_inline bool cache_get(__u64 gen, __u32 vpc, const __u32 *addr, bool is_v6, struct decision *d)
{
	const struct xp_cached_route *e = cache_lookup(vpc, addr, is_v6);

	if (!e)
		return false;
	__builtin_memcpy(&d->cached, e, sizeof(d->cached));
	asm volatile("" ::: "memory");
	if (!holds_answer(&d->cached, gen, vpc, addr) || d->cached.check != cache_check(&d->cached) ||
	    !holds_answer(e, gen, vpc, addr))
		return false;
	d->route = &d->cached.route;
	d->link = d->cached.link;
	return true;
}

static __always_inline void cache_put(__u64 gen, __u32 vpc, const __u32 *addr, bool is_v6, const struct decision *d,
				      enum xp_reason reason)
{
	struct xp_cached_route e = { .generation = gen, .vpc = vpc, .link = d->link, .reason = reason };

	__builtin_memcpy(e.addr, addr, sizeof(e.addr));
	__builtin_memcpy(&e.route, d->route, sizeof(e.route));
	e.check = cache_check(&e);
	if (is_v6) {
		struct xp_cache_key_v6 key = { .vpc = vpc };

		__builtin_memcpy(key.addr, addr, sizeof(key.addr));
		bpf_map_update_elem(&xp_route_cache_v6, &key, &e, BPF_ANY);
	} else {
		struct xp_cache_key_v4 key = { .vpc = vpc };

		__builtin_memcpy(key.addr, addr, sizeof(key.addr));
		bpf_map_update_elem(&xp_route_cache_v4, &key, &e, BPF_ANY);
	}
}

/* The memo set of a destination: its words mixed, so that neighbouring addresses spread. */
static __always_inline struct xp_route_memo_set *memo_set(__u32 cpu, __u32 vpc, const __u32 *addr, bool is_v6)
{
	__u32 h = vpc * 0x9e3779b1u ^ addr[0] ^ addr[1] ^ addr[2] ^ addr[3];

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	h &= XP_ROUTE_MEMO_SETS - 1;
	return this_cpu_elem(is_v6 ? (void *)&xp_route_memo_v6 : (void *)&xp_route_memo_v4, cpu, XP_ROUTE_MEMO_SETS, h);
}

/* Softirqs do not nest, but BPF_PROG_TEST_RUN runs the router in process context, where a
 * softirq can run it again on the same CPU: a slot is checked again after its copy. */
static __always_inline bool memo_copy(const struct xp_cached_route *m, __u64 gen, __u32 vpc, const __u32 *addr,
				      struct decision *d)
{
	if (!holds_answer(m, gen, vpc, addr))
		return false;
	__builtin_memcpy(&d->cached.route, &m->route, sizeof(d->cached.route));
	d->cached.link = m->link;
	d->cached.reason = m->reason;
	asm volatile("" ::: "memory"); /* the copy before the check again */
	if (!holds_answer(m, gen, vpc, addr))
		return false;
	d->route = &d->cached.route;
	d->link = d->cached.link;
	return true;
}

/* A memo hit of generation gen (never 0 nor XP_MEMO_WRITING), copied into d->cached. */
static __always_inline bool memo_get(__u64 gen, __u32 vpc, const __u32 *addr, bool is_v6, struct decision *d)
{
	const struct xp_route_memo_set *set = memo_set(d->cpu, vpc, addr, is_v6);

	return set && (memo_copy(&set->way[0], gen, vpc, addr, d) || memo_copy(&set->way[1], gen, vpc, addr, d));
}

/* While a slot is written its generation is XP_MEMO_WRITING, which no reader takes for a current
 * one, and the generation goes last. A run nested in the write (BPF_PROG_TEST_RUN's case) leaves
 * the slot alone, so that no slot ends up with one answer's key and another's route. */
#define XP_MEMO_WRITING (~0ull)
static __always_inline void memo_write(struct xp_cached_route *m, __u64 gen, __u32 vpc, const __u32 *addr,
				       const struct xp_route *route, __u32 link, __u32 reason)
{
	if (*(volatile __u64 *)&m->generation == XP_MEMO_WRITING)
		return;
	*(volatile __u64 *)&m->generation = XP_MEMO_WRITING;
	asm volatile("" ::: "memory");
	m->vpc = vpc;
	__builtin_memcpy(m->addr, addr, 16);
	__builtin_memcpy(&m->route, route, sizeof(m->route));
	m->link = link;
	m->reason = reason;
	asm volatile("" ::: "memory");
	*(volatile __u64 *)&m->generation = gen;
}

/* A new answer takes a way that holds nothing of this generation; when both hold current
 * answers, the older of them goes (first in, first out: way 0's check word names it). One slot
 * is written per miss, and no answer stays for the generation while misses stream through. */
static __always_inline void memo_put(__u64 gen, __u32 vpc, const __u32 *addr, bool is_v6, const struct decision *d,
				     enum xp_reason reason)
{
	struct xp_route_memo_set *set = memo_set(d->cpu, vpc, addr, is_v6);
	volatile __u32 *next;
	__u32 way;

	if (!set)
		return;
	next = &set->way[0].check;
	if (*(volatile __u64 *)&set->way[0].generation != gen)
		way = 0;
	else if (*(volatile __u64 *)&set->way[1].generation != gen)
		way = 1;
	else
		way = *next & 1;
	*next = way ^ 1;
	memo_write(&set->way[way & 1], gen, vpc, addr, d->route, d->link, reason);
}

static __always_inline bool is_forward(enum xp_reason reason)
{
	return reason == XP_REASON_FORWARD_LOCAL || reason == XP_REASON_FORWARD_PEERING;
}

/* A decision taken from the compiled lookup or the route cache that crosses d->link: the
 * connection must still be this VPC's, and active, for the decision to stand. */
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

/* Where a packet's fate is decided: the VPC's compiled lookup; without one the route cache, or on
 * a miss the tries (resolve); then what depends on the packet itself.
 * dst: the destination in the IP header, 1 word (IPv4) or 4; typed as words so that copying it
 * takes word loads (through a void pointer clang copies it a byte at a time).
 * ip_len: the IP packet's length, charged to the bandwidth of a peering crossing (bandwidth is
 * IP traffic, as clouds sell it: the Ethernet header between namespaces is not part of it).
 * ttl: the packet's TTL or hop limit; one that would expire is dropped before it costs tokens.
 * accounted: false polices nothing (stats.h). */
static __always_inline enum xp_reason decide(__u32 vpc, const __u32 *dst, bool is_v6, __u32 ip_len, __u8 ttl,
					     struct decision *d, bool accounted)
{
	__u32 zero = 0;
	const struct xp_fib_result *compiled;
	const struct xp_control *ctl = bpf_map_lookup_elem(&xp_control, &zero);
	bool use_cache = ctl && !ctl->cache_off;
	/* Read before the tries: an entry filled from tries older than a bump is then stale. */
	__u64 gen = ctl ? *(volatile const __u64 *)&ctl->generation : 0;
	enum xp_reason reason;

	__u32 addr[4] = {}; /* the destination, zero-padded as the caches hold it: padded once */

	d->route = 0;
	d->peering = 0;
	d->link = XP_NO_LINK;
	d->cache = use_cache ? XP_CACHE_HIT : XP_CACHE_NOT_ASKED;
	d->link_counters = 0;
	__builtin_memcpy(addr, dst, is_v6 ? 16 : 4);
	compiled = ctl && !ctl->compiled_off ? fib_lookup(vpc, addr, is_v6) : 0;
	if (compiled) {
		d->cache = XP_CACHE_COMPILED;
		d->route = &compiled->route;
		d->link = compiled->link;
		reason = compiled->reason;
		if (d->link != XP_NO_LINK) {
			reason = check_crossing(vpc, d, reason);
			if (reason != compiled->reason)
				return reason;
		}
	} else if (use_cache && gen && memo_get(gen, vpc, addr, is_v6, d)) {
		reason = d->cached.reason;
	} else if (use_cache && cache_get(gen, vpc, addr, is_v6, d)) {
		reason = d->cached.reason;
		memo_put(gen, vpc, addr, is_v6, d, reason);
	} else {
		reason = resolve(vpc, dst, is_v6, d);
		if (use_cache) {
			d->cache = XP_CACHE_MISS;
			if (is_forward(reason)) {
				cache_put(gen, vpc, addr, is_v6, d, reason);
				memo_put(gen, vpc, addr, is_v6, d, reason);
			}
		}
	}
	if (!is_forward(reason))
		return reason;
	if (ttl <= 1)
		return XP_REASON_DROP_TTL;
	if (reason == XP_REASON_FORWARD_LOCAL)
		return reason;
	if (!d->peering) { /* a cache hit */
		reason = check_crossing(vpc, d, reason);
		if (!is_forward(reason))
			return reason;
	}
	d->link_counters = this_cpu_link(d->cpu, d->link, accounted);
	if (!police(d->link, d->link_counters, d->peering, ip_len, accounted))
		return XP_REASON_DROP_POLICER;
	return reason;
}

#endif
