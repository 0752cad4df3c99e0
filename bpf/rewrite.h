/* What a router does to a frame it forwards: new MACs, one hop less to live. */
#ifndef XPEER_BPF_REWRITE_H
#define XPEER_BPF_REWRITE_H

#include "parse.h"
#include "xpeer/bpf_abi.h"

/* RFC 1624 incremental update for a TTL decrement, as the kernel's ip_decrease_ttl(). */
static __always_inline void ipv4_decrease_ttl(struct iphdr *ip)
{
	__u32 check = (__u32)ip->check;

	check += (__u32)bpf_htons(0x0100);
	ip->check = (__sum16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

static __always_inline void rewrite_macs(struct ethhdr *eth, const struct xp_route *route)
{
	__builtin_memcpy(eth->h_dest, route->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, route->smac, ETH_ALEN);
}

#endif
