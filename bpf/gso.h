/* The TC twin's frames are socket buffers, and a GSO super-packet stands for gso_segs packets on
 * the wire, each with its own Ethernet, IP and TCP (UDP) headers. Counted and policed as the XDP
 * router would count them had they come one by one. */
#ifndef XPEER_BPF_GSO_H
#define XPEER_BPF_GSO_H

#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include "parse.h"

struct frame_size {
	__u32 packets; /* on the wire */
	__u32 bytes;   /* on the wire, Ethernet headers included */
};

/* What the twin makes sure it can read directly: Ethernet and a fixed IPv6 header (or IPv4's,
 * shorter). A socket buffer from a local socket holds all its headers in its linear part; pulling
 * further would copy payload out of its pages, for every super-packet. */
#define XP_TC_HEADERS (sizeof(struct ethhdr) + sizeof(struct ipv6hdr))

/* The headers every segment repeats; 0 if they are not in [data, end). */
static __always_inline __u32 segment_headers(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	struct tcphdr *th;
	__u32 l3, l4 = 0;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return 0;
		l3 = ip->ihl * 4;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return 0;
		l3 = sizeof(*ip6);
		proto = ip6->nexthdr;
	} else {
		return 0;
	}
	if (l3 < sizeof(struct iphdr) || l3 > sizeof(*ip6) + 20)
		return 0;
	if (proto == IPPROTO_TCP) {
		th = data + sizeof(*eth) + l3;
		if ((void *)(th + 1) > end)
			return 0;
		l4 = th->doff * 4;
	} else if (proto == IPPROTO_UDP) {
		l4 = sizeof(struct udphdr);
	}
	return sizeof(*eth) + l3 + l4;
}

/* Headers beyond the linear part are not counted again: a local socket's never are. */
static __always_inline struct frame_size skb_frame_size(struct __sk_buff *skb)
{
	struct frame_size s = { .packets = 1, .bytes = skb->len };
	__u32 segs = skb->gso_segs;

	if (segs <= 1 || !skb->gso_size)
		return s;
	s.packets = segs;
	s.bytes += (segs - 1) * segment_headers((void *)(long)skb->data, (void *)(long)skb->data_end);
	return s;
}

#endif
