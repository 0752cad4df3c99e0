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

/* end: the end of what can be read directly. A socket buffer (the TC twin) may hold more of its
 * frame in pages beyond it: lengths the headers declare are checked against len, the frame's. */
struct cursor {
	void *pos;
	void *end;
	__u32 off; /* pos's offset in the frame */
	__u32 len; /* the frame's length */
};

/* Returns the EtherType (network order), or -1 if the frame is too short. VLAN tags are not
 * ours to handle: a tagged frame returns its outer type and goes up to the kernel. */
static __always_inline int parse_eth(struct cursor *c, struct ethhdr **eth)
{
	struct ethhdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	c->pos = h + 1;
	c->off += sizeof(*h);
	*eth = h;
	return h->h_proto;
}

/* The one's complement sum of an IPv4 header folds to all ones when its checksum is right. The
 * 20 bytes every header has are summed in words, options (up to 40 bytes more) in a loop. */
static __always_inline bool ipv4_checksum_ok(const struct iphdr *h, const void *end)
{
	const __u32 *w = (const __u32 *)h;
	__u64 sum = (__u64)w[0] + w[1] + w[2] + w[3] + w[4];

	for (int i = 5; i < 15; i++) {
		if (i >= h->ihl)
			break;
		if ((const void *)(w + i + 1) > end)
			return false;
		sum += w[i];
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Refused as the kernel's ip_rcv() refuses them: a header shorter than 20 bytes or longer than
 * the frame, a total length beyond the frame or shorter than the header, a wrong checksum.
 * A total length short of the frame is padding (a minimum-size Ethernet frame) and is kept. */
static __always_inline int parse_ipv4(struct cursor *c, struct iphdr **ip)
{
	struct iphdr *h = c->pos;
	__u32 hlen, tot_len;

	if ((void *)(h + 1) > c->end)
		return -1;
	if (h->version != 4 || h->ihl < 5)
		return -1;
	hlen = h->ihl * 4;
	tot_len = bpf_ntohs(h->tot_len);
	if (c->pos + hlen > c->end || tot_len < hlen || c->off + tot_len > c->len)
		return -1;
	if (!ipv4_checksum_ok(h, c->end))
		return -1;
	c->pos += hlen;
	c->off += hlen;
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
	if (c->off + sizeof(*h) + bpf_ntohs(h->payload_len) > c->len)
		return -1; /* a payload beyond the frame (the kernel's ipv6_rcv() refuses it too) */
	c->pos = h + 1;
	c->off += sizeof(*h);
	*ip6 = h;
	return h->nexthdr;
}

#endif
