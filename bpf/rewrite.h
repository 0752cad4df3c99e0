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

/* In 16-bit words: struct ethhdr is packed, so a memcpy into it goes a byte at a time, but a frame
 * starts on an even address, and xp_route and xb_config keep their MACs at even offsets. */
static __always_inline void copy_mac(void *to, const void *from)
{
	__u16 *t = to;
	const __u16 *f = from;

	t[0] = f[0];
	t[1] = f[1];
	t[2] = f[2];
}

static __always_inline void rewrite_macs(struct ethhdr *eth, const struct xp_route *route)
{
	copy_mac(eth->h_dest, route->dmac);
	copy_mac(eth->h_source, route->smac);
}

#endif
