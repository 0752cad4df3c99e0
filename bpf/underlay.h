/* xp_underlay: what arrives on the underlay interface. VXLAN to XP_VXLAN_PORT is other hosts'
 * routers sending to this host's vSwitches: taken apart here and redirected, if it comes from a
 * registered host and its VNI's VPC owns the inner destination through a vSwitch on this host.
 * Everything else is the host's own traffic (etcd, ssh) and goes up to the kernel untouched.
 * Two hooks share the decision: XDP, and tc ingress for the TC twin's hosts, whose GSO super-packets
 * arrive whole and leave to the vSwitch whole. */
#ifndef XPEER_BPF_UNDERLAY_H
#define XPEER_BPF_UNDERLAY_H

#include <linux/pkt_cls.h>
#include "gso.h"
#include "parse.h"
#include "rewrite.h"
#include "route.h"
#include "stats.h"
#include "tunnel.h"

/* The most a hook needs to read directly: the outer Ethernet, IPv6, UDP and VXLAN headers, and
 * the inner Ethernet, IPv6 and TCP (with options) headers. */
#define XP_UNDERLAY_HEADERS (XP_OUTER_V6 + sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + 60)

/* BPF_F_ADJ_ROOM_DECAP_L3_IPV4 and _IPV6 (Linux 6.3): skb->protocol follows the inner packet's
 * family. Debian 12's headers predate them. */
#define XP_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define XP_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)

enum underlay_action {
	XP_UL_PASS,    /* the host's own: to the kernel */
	XP_UL_DROP,    /* counted */
	XP_UL_DELIVER, /* the inner frame, to *route's vSwitch: counted */
};

/* A frame for a vSwitch on this host. */
struct delivery {
	const struct xp_route *route;
	__u32 outer;   /* the bytes before the inner Ethernet header */
	bool inner_v6; /* the inner packet's family */
};

/* The vSwitch on this host that the VPC's own table sends dst to, or 0: only a system route
 * to a local vSwitch, never a peering (the sending host crossed it) nor another host. */
static __always_inline const struct xp_route *local_vswitch(__u32 vpc, const __u32 *dst, bool is_v6)
{
	const struct xp_fib_result *compiled = compiled_lookup(vpc, dst, is_v6);
	const struct xp_route *route;

	if (compiled)
		route = compiled->reason == XP_REASON_FORWARD_LOCAL && compiled->link == XP_NO_LINK ? &compiled->route
												    : 0;
	else
		route = lookup_route(vpc, dst, is_v6);
	return route && route->kind == XP_NH_VSWITCH ? route : 0;
}

/* A registered host's underlay address, IPv4 as ::ffff:a.b.c.d. */
static __always_inline bool from_registered_host(const void *saddr, bool is_v6)
{
	struct xp_underlay_key key = {};

	if (is_v6) {
		__builtin_memcpy(key.addr, saddr, 16);
	} else {
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], saddr, 4);
	}
	return bpf_map_lookup_elem(&xp_underlay_hosts, &key) != 0;
}

/* The packets a frame stands for on the wire: 1, or a GSO super-packet's segments, worked out from
 * its payload where a program changed its headers (the kernel then counts them only as it makes
 * them). headers: those each segment repeats. */
static __always_inline __u32 wire_packets(__u32 len, __u32 headers, __u32 gso_size, __u32 gso_segs)
{
	if (!gso_size)
		return 1;
	if (gso_segs)
		return gso_segs;
	return len > headers ? (len - headers + gso_size - 1) / gso_size : 1;
}

/* c: the whole frame; gso_size and gso_segs: a socket buffer's, 0 for XDP. accounted: a constant
 * (stats.h). */
static __always_inline enum underlay_action take_apart(struct cursor *c, __u32 gso_size, __u32 gso_segs, __u32 cpu,
						       bool accounted, struct delivery *out)
{
	void *start = c->pos;
	struct vxlanhdr_xp *vx;
	struct ethhdr *eth;
	struct iphdr *ip = 0;
	struct ipv6hdr *ip6 = 0;
	struct udphdr *udp;
	const __u32 *dst;
	__u32 len = c->len, vni, packets, bytes;
	bool outer_v6;
	int proto;

	proto = parse_eth(c, &eth);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4(c, &ip) != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x3fff)))
			return XP_UL_PASS; /* not ours, or a fragment: the kernel's */
		outer_v6 = false;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(c, &ip6) != IPPROTO_UDP)
			return XP_UL_PASS;
		outer_v6 = true;
	} else {
		return XP_UL_PASS;
	}
	udp = c->pos;
	if ((void *)(udp + 1) > c->end || udp->dest != bpf_htons(XP_VXLAN_PORT))
		return XP_UL_PASS;
	packets = wire_packets(len, c->off + sizeof(*udp), gso_size, gso_segs);
	bytes = len + (packets - 1) * (c->off + sizeof(*udp));
	if (!from_registered_host(outer_v6 ? (void *)&ip6->saddr : (void *)&ip->saddr, outer_v6)) {
		count_reason(cpu, XP_REASON_DROP_TUNNEL_SOURCE, packets, bytes, accounted);
		return XP_UL_DROP;
	}
	vx = (void *)(udp + 1);
	if ((void *)(vx + 1) > c->end || !(vx->flags & XP_VXLAN_FLAG_VNI))
		goto malformed;
	c->pos = vx + 1;
	c->off += sizeof(*udp) + sizeof(*vx);
	vni = ((__u32)vx->vni[0] << 16) | ((__u32)vx->vni[1] << 8) | vx->vni[2];
	out->outer = c->off;

	proto = parse_eth(c, &eth);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4(c, &ip) < 0)
			goto malformed;
		dst = &ip->daddr;
		out->inner_v6 = false;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(c, &ip6) < 0)
			goto malformed;
		dst = ip6->daddr.in6_u.u6_addr32;
		out->inner_v6 = true;
	} else {
		goto malformed; /* a router sends IP only */
	}
	if (packets > 1) { /* each segment repeats the outer headers and the inner frame's own */
		__u32 headers = out->outer + segment_headers(start + out->outer, c->end);

		packets = wire_packets(len, headers, gso_size, gso_segs);
		bytes = len + (packets - 1) * headers;
	}
	out->route =
		out->inner_v6 ? local_vswitch(vni, dst, true) : local_vswitch(vni, dst, false); /* constant sizes */
	bytes -= packets * out->outer;								/* the inner frames' */
	if (!out->route) {
		count_reason(cpu, XP_REASON_DROP_TUNNEL_VNI, packets, bytes, accounted);
		return XP_UL_DROP;
	}
	count_reason(cpu, XP_REASON_FORWARD_TUNNEL_IN, packets, bytes, accounted);
	count_egress(cpu, out->route->target, packets, bytes, accounted);
	return XP_UL_DELIVER;

malformed:
	count_reason(cpu, XP_REASON_DROP_MALFORMED, packets, bytes, accounted);
	return XP_UL_DROP;
}

static __always_inline int underlay_xdp(struct xdp_md *ctx, bool accounted)
{
	struct cursor c = { .pos = (void *)(long)ctx->data,
			    .end = (void *)(long)ctx->data_end,
			    .len = ctx->data_end - ctx->data };
	struct delivery d;
	struct ethhdr *eth;

	switch (take_apart(&c, 0, 0, bpf_get_smp_processor_id(), accounted, &d)) {
	case XP_UL_PASS:
		return XDP_PASS;
	case XP_UL_DROP:
		return XDP_DROP;
	default:
		break;
	}
	if (bpf_xdp_adjust_head(ctx, d.outer))
		return XDP_DROP;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	rewrite_macs(eth, d.route);
	return bpf_redirect(d.route->target, 0);
}

/* A socket buffer keeps its outer Ethernet header, which becomes the inner frame's: the outer IP,
 * UDP and VXLAN headers and the inner Ethernet header go. A GSO super-packet stays one, its
 * segment size what it was before the sending host encapsulated it. */
static __always_inline int underlay_tc(struct __sk_buff *skb, bool accounted)
{
	__u32 headers = skb->len < XP_UNDERLAY_HEADERS ? skb->len : XP_UNDERLAY_HEADERS;
	struct cursor c;
	struct delivery d;
	struct ethhdr *eth;
	__u16 proto;

	if ((void *)(long)skb->data + headers > (void *)(long)skb->data_end)
		bpf_skb_pull_data(skb, headers);
	c = (struct cursor){ .pos = (void *)(long)skb->data, .end = (void *)(long)skb->data_end, .len = skb->len };
	switch (take_apart(&c, skb->gso_size, skb->gso_segs, bpf_get_smp_processor_id(), accounted, &d)) {
	case XP_UL_PASS:
		return TC_ACT_UNSPEC; /* tcx: on to the NIC's next program and filters, the host's own */
	case XP_UL_DROP:
		return TC_ACT_SHOT;
	default:
		break;
	}
	proto = d.inner_v6 ? bpf_htons(ETH_P_IPV6) : bpf_htons(ETH_P_IP);
	if (bpf_skb_adjust_room(skb, -(int)d.outer, BPF_ADJ_ROOM_MAC,
				d.inner_v6 ? XP_ADJ_ROOM_DECAP_L3_IPV6 : XP_ADJ_ROOM_DECAP_L3_IPV4))
		return TC_ACT_SHOT;
	eth = (void *)(long)skb->data;
	if ((void *)(eth + 1) > (void *)(long)skb->data_end)
		return TC_ACT_SHOT;
	eth->h_proto = proto;
	rewrite_macs(eth, d.route);
	return bpf_redirect(d.route->target, 0);
}

#endif
