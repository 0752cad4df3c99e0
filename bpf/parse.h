/* Cursor-based header parsing: each helper checks bounds and advances the cursor. */
#ifndef XPEER_BPF_PARSE_H
#define XPEER_BPF_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct cursor {
	void *pos;
	void *end;
};

/* Returns the EtherType (network order), or -1 if the frame is too short. VLAN tags are not
 * ours to handle: a tagged frame returns its outer type and goes up to the kernel. */
static __always_inline int parse_eth(struct cursor *c, struct ethhdr **eth)
{
	struct ethhdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	c->pos = h + 1;
	*eth = h;
	return h->h_proto;
}

static __always_inline int parse_ipv4(struct cursor *c, struct iphdr **ip)
{
	struct iphdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	if (h->version != 4 || h->ihl < 5)
		return -1;
	if (c->pos + h->ihl * 4 > c->end)
		return -1;
	c->pos += h->ihl * 4;
	*ip = h;
	return h->protocol;
}

static __always_inline int parse_ipv6(struct cursor *c, struct ipv6hdr **ip6)
{
	struct ipv6hdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	if (h->version != 6)
		return -1;
	c->pos = h + 1;
	*ip6 = h;
	return h->nexthdr;
}

#endif
