/* Between hosts: a frame for a vSwitch on another host leaves in VXLAN (RFC 7348) over the
 * underlay, its VNI the destination VPC's key; the receiving host's xp_underlay takes it apart. */
#ifndef XPEER_BPF_TUNNEL_H
#define XPEER_BPF_TUNNEL_H

#include <linux/in.h>
#include <linux/udp.h>
#include "maps.h"
#include "parse.h"
#include "rewrite.h"

#define XP_VXLAN_FLAG_VNI 0x08 /* the I flag: the VNI is valid */
#define XP_AF_INET 2	       /* AF_INET and AF_INET6, for bpf_fib_lookup; no libc header here */
#define XP_AF_INET6 10

struct vxlanhdr_xp {
	__u8 flags;
	__u8 reserved1[3];
	__u8 vni[3];
	__u8 reserved2;
};

/* What a router puts before a frame it sends to another host, the frame keeping its own
 * Ethernet header as the inner one: Ethernet, IPv4 or IPv6, UDP, VXLAN. */
#define XP_OUTER_V4 (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr) + sizeof(struct vxlanhdr_xp))
#define XP_OUTER_V6 \
	(sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + sizeof(struct udphdr) + sizeof(struct vxlanhdr_xp))

/* Where a frame for another host goes, found before it is counted as forwarded. */
struct tunnel_hop {
	const struct xp_tunnel *tunnel;
	__u32 ifindex; /* the underlay interface the FIB chose */
	__u8 smac[6];
	__u8 dmac[6];
	__u16 sport; /* the outer UDP source port: the inner flow's hash, for the underlay's ECMP */
	__u32 vni;   /* the destination VPC's key */
	bool is_v6;  /* the tunnel's underlay family, read once */
	__u8 dscp;   /* the link type's, of the connection crossed (xp_peering.dscp); 0 for none */
};

/* The outer headers' length for the hop's family. */
static __always_inline __u32 outer_len(const struct tunnel_hop *hop)
{
	return hop->is_v6 ? XP_OUTER_V6 : XP_OUTER_V4;
}

/* RFC 7348 5: a source port from a hash of the inner packet, in the dynamic range: its source
 * and destination addresses (n words from `words`), its protocol and, for TCP and UDP, its ports
 * (the first word at `l4`, when the frame holds it there): one flow, one outer port, and the
 * flows between two instances spread over the underlay's paths. */
static __always_inline __u16 flow_port(const __u32 *words, __u32 n, __u8 protocol, const struct cursor *l4)
{
	__u32 h = (protocol + 1) * 0x9e3779b1u;

	if ((protocol == IPPROTO_TCP || protocol == IPPROTO_UDP) && l4->pos + sizeof(__u32) <= l4->end)
		h ^= *(const __u32 *)l4->pos;
	for (__u32 i = 0; i < 8; i++) {
		if (i >= n)
			break;
		h = (h ^ words[i]) * 0x85ebca6bu;
		h ^= h >> 13;
	}
	return bpf_htons(49152 + (h % 16384));
}

/* The underlay's route and neighbour to the tunnel's other host, from the datapath namespace's
 * FIB, as the kernel would send the encapsulated packet from `local` to `remote`: false if it has
 * none, or the packet is too big for the underlay (counted as drop_underlay). The helper answers
 * only for an interface that forwards: the agent turns forwarding on for the underlay alone.
 * inner_ip_len: the inner IP packet's length; 0 for a GSO super-packet, whose segments the
 * kernel checks as it makes them. */
static __always_inline bool find_hop(void *ctx, __u32 slot, __u32 inner_ip_len, struct tunnel_hop *hop)
{
	struct bpf_fib_lookup fib = {};
	const struct xp_tunnel *t = bpf_map_lookup_elem(&xp_tunnels, &slot);

	if (!t || !t->ifindex)
		return false;
	hop->is_v6 = t->is_v6;
	fib.ifindex = t->ifindex;
	/* the outer IP packet: its headers, UDP's, VXLAN's, the inner Ethernet header, the inner packet */
	fib.tot_len = inner_ip_len ? outer_len(hop) + inner_ip_len : 0;
	if (hop->is_v6) {
		fib.family = XP_AF_INET6;
		__builtin_memcpy(fib.ipv6_src, t->local, 16);
		__builtin_memcpy(fib.ipv6_dst, t->remote, 16);
	} else {
		fib.family = XP_AF_INET;
		__builtin_memcpy(&fib.ipv4_src, t->local, 4);
		__builtin_memcpy(&fib.ipv4_dst, t->remote, 4);
	}
	fib.l4_protocol = IPPROTO_UDP;
	if (bpf_fib_lookup(ctx, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT) != BPF_FIB_LKUP_RET_SUCCESS)
		return false;
	hop->tunnel = t;
	hop->ifindex = fib.ifindex;
	__builtin_memcpy(hop->smac, fib.smac, 6);
	__builtin_memcpy(hop->dmac, fib.dmac, 6);
	return true;
}

/* RFC 1071 over the 20 bytes of an outer IPv4 header (no options). */
static __always_inline __u16 ipv4_header_checksum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static __always_inline void fill_vxlan(struct udphdr *udp, struct vxlanhdr_xp *vx, const struct tunnel_hop *hop,
				       __u32 udp_len)
{
	udp->source = hop->sport;
	udp->dest = bpf_htons(XP_VXLAN_PORT);
	udp->len = bpf_htons(udp_len);
	udp->check = 0; /* IPv4 allows it; over IPv6, RFC 6935/6936 for tunnels (xp_underlay checks none) */
	__builtin_memset(vx, 0, sizeof(*vx));
	vx->flags = XP_VXLAN_FLAG_VNI;
	vx->vni[0] = hop->vni >> 16;
	vx->vni[1] = hop->vni >> 8;
	vx->vni[2] = hop->vni;
}

/* The outer headers for an inner frame of inner_len bytes, written at `at` (outer_len() bytes);
 * false if [at, end) cannot hold them. */
static __always_inline bool write_outer(void *at, void *end, const struct tunnel_hop *hop, __u32 inner_len)
{
	const struct xp_tunnel *t = hop->tunnel;
	__u32 udp_len = sizeof(struct udphdr) + sizeof(struct vxlanhdr_xp) + inner_len;
	struct ethhdr *eth = at;
	struct udphdr *udp;

	if (at + XP_OUTER_V4 > end)
		return false;
	copy_mac(eth->h_dest, hop->dmac);
	copy_mac(eth->h_source, hop->smac);
	if (hop->is_v6) {
		struct ipv6hdr *ip6 = at + sizeof(*eth);

		if (at + XP_OUTER_V6 > end)
			return false;
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		*(__u32 *)ip6 =
			bpf_htonl(0x60000000 | (__u32)hop->dscp << 22); /* version, traffic class: DSCP, ECN 0 */
		ip6->payload_len = bpf_htons(udp_len);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		__builtin_memcpy(&ip6->saddr, t->local, 16);
		__builtin_memcpy(&ip6->daddr, t->remote, 16);
		udp = (void *)(ip6 + 1);
	} else {
		struct iphdr *ip = at + sizeof(*eth);

		eth->h_proto = bpf_htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tos = hop->dscp << 2; /* DSCP, ECN 0 */
		ip->tot_len = bpf_htons(sizeof(struct iphdr) + udp_len);
		ip->id = 0;
		ip->frag_off = bpf_htons(0x4000); /* DF: the underlay carries whole frames or says it cannot */
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->check = 0;
		__builtin_memcpy(&ip->saddr, t->local, 4);
		__builtin_memcpy(&ip->daddr, t->remote, 4);
		ip->check = ipv4_header_checksum(ip);
		udp = (void *)(ip + 1);
	}
	fill_vxlan(udp, (void *)(udp + 1), hop, udp_len);
	return true;
}

/* XDP: room before the frame, the outer headers in it. */
static __always_inline bool encap_xdp(struct xdp_md *ctx, const struct tunnel_hop *hop)
{
	__u32 inner_len = ctx->data_end - ctx->data;

	if (bpf_xdp_adjust_head(ctx, -(int)outer_len(hop)))
		return false;
	return write_outer((void *)(long)ctx->data, (void *)(long)ctx->data_end, hop, inner_len);
}

/* A socket buffer: room after its Ethernet header, which becomes the outer one, for the outer IP,
 * UDP and VXLAN headers and a copy of it as the inner one; a GSO super-packet becomes a UDP
 * tunnel's, segmented with its outer headers where it leaves. */
static __always_inline bool encap_tc(struct __sk_buff *skb, const struct tunnel_hop *hop)
{
	__u32 inner_len = skb->len, len = outer_len(hop);
	__u64 flags = BPF_F_ADJ_ROOM_ENCAP_L4_UDP | BPF_F_ADJ_ROOM_ENCAP_L2_ETH |
		      BPF_F_ADJ_ROOM_ENCAP_L2(sizeof(struct ethhdr)) |
		      (hop->is_v6 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 : BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	struct ethhdr inner;

	if (bpf_skb_load_bytes(skb, 0, &inner, sizeof(inner)))
		return false;
	if (bpf_skb_adjust_room(skb, len, BPF_ADJ_ROOM_MAC, flags))
		return false;
	if (bpf_skb_store_bytes(skb, len, &inner, sizeof(inner), 0))
		return false;
	if ((void *)(long)skb->data + len > (void *)(long)skb->data_end)
		bpf_skb_pull_data(skb, len);
	return write_outer((void *)(long)skb->data, (void *)(long)skb->data_end, hop, inner_len);
}

#endif
