// SPDX-License-Identifier: GPL-2.0
/* xp_router: the XDP program on the datapath side of every vSwitch link.
 * xp_vpc_side: on the VPC side, so that the veth accepts redirected frames.
 * xp_router_tc: its twin for socket buffers, on tc ingress (tcx) of the datapath side instead:
 * GSO super-packets stay whole, and leave through the datapath side of the egress vSwitch link.
 * xp_underlay: on the underlay interface, what other hosts' routers sent to this one's vSwitches;
 * xp_underlay_tc: its twin on tc ingress there, for the hosts that run the TC twin. */
#include <linux/pkt_cls.h>
#include "gso.h"
#include "parse.h"
#include "rewrite.h"
#include "route.h"
#include "source.h"
#include "stats.h"
#include "tunnel.h"
#include "underlay.h"
#include "underlay_qos.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline bool is_link_scope_v4(const struct iphdr *ip)
{
	__u8 first = ((const __u8 *)&ip->daddr)[0];

	return (first & 0xf0) == 0xe0 || ip->daddr == 0xffffffff; /* multicast, broadcast */
}

static __always_inline bool is_link_scope_v6(const struct ipv6hdr *ip6)
{
	__u8 b0 = ip6->daddr.in6_u.u6_addr8[0], b1 = ip6->daddr.in6_u.u6_addr8[1];

	return b0 == 0xff || (b0 == 0xfe && (b1 & 0xc0) == 0x80); /* multicast, link-local */
}

/* What a hook does with a frame once routed: each entry point says it in its own words. */
enum xp_action {
	XP_ACT_DROP,
	XP_ACT_PASS,	 /* to the datapath namespace's kernel */
	XP_ACT_REDIRECT, /* to *target, the egress vSwitch link's datapath side */
	XP_ACT_ENCAP,	 /* to another host: the outer headers before it, out through hop->ifindex */
};

/* sz: what the frame stands for on the wire (bpf/gso.h); its Ethernet headers are not IP traffic. */
static __always_inline enum xp_action route_ip(void *ctx, struct cursor *c, struct ethhdr *eth, struct xp_port *port,
					       const struct frame_size *sz, bool is_v6, __u32 cpu, bool accounted,
					       __u32 *target, struct tunnel_hop *hop)
{
	__u32 len = sz->bytes, ip_len = sz->bytes - sz->packets * sizeof(*eth);
	struct iphdr *ip = 0;
	struct ipv6hdr *ip6 = 0;
	const __u32 *dst;
	__u8 ttl;
	struct decision d; /* decide() fills it */
	enum xp_reason reason;
	bool remote;

	if (is_v6) {
		if (parse_ipv6(c, &ip6) < 0)
			goto malformed;
		if (is_link_scope_v6(ip6))
			goto link_scope;
		if (!source_ok_v6(port, ip6))
			goto spoofed;
		dst = ip6->daddr.in6_u.u6_addr32;
		ttl = ip6->hop_limit;
	} else {
		if (parse_ipv4(c, &ip) < 0)
			goto malformed;
		if (is_link_scope_v4(ip))
			goto link_scope;
		if (!source_ok_v4(port, ip))
			goto spoofed;
		dst = &ip->daddr;
		ttl = ip->ttl;
	}
	count_port(&port->rx, sz->packets, len, accounted);

	d.cpu = cpu;
	reason = decide(port->vpc, dst, is_v6, ip_len, ttl, &d, accounted);
	remote = is_forward(reason) && d.route->kind == XP_NH_REMOTE; /* read once: the loader may rewrite the route */
	if (remote) {
		hop->dscp = d.peering ? d.peering->dscp : 0;
		if (d.vni > XP_MAX_VNI || !find_hop(ctx, d.route->target, sz->packets > 1 ? 0 : ip_len, hop))
			reason = XP_REASON_DROP_UNDERLAY;
		else if (!underlay_admits(hop->dscp, len + sz->packets * outer_len(hop), accounted))
			reason = XP_REASON_DROP_UNDERLAY_FULL;
		hop->vni = d.vni;
		hop->sport = is_v6 ? flow_port(ip6->saddr.in6_u.u6_addr32, 8, ip6->nexthdr, c)
				   : flow_port(&ip->saddr, 2, ip->protocol, c);
	}
	count_verdict(cpu, reason, d.lookup, sz->packets, len, accounted);
	if (!d.link_counters)
		d.link_counters = this_cpu_link(cpu, d.link, accounted);
	count_link(d.link_counters, reason, sz->packets,
		   ip_len); /* a link carries IP traffic: that is what is billed */
	if (!is_forward(reason))
		return XP_ACT_DROP;

	if (is_v6)
		ip6->hop_limit--;
	else
		ipv4_decrease_ttl(ip);
	if (remote)
		return XP_ACT_ENCAP; /* the receiving host writes the MACs and counts the vSwitch's tx */
	rewrite_macs(eth, d.route);
	count_egress(cpu, d.route->target, sz->packets, len, accounted);
	*target = d.route->target;
	return XP_ACT_REDIRECT;

malformed:
	count_reason(cpu, XP_REASON_DROP_MALFORMED, sz->packets, len, accounted);
	return XP_ACT_DROP;
link_scope:
	count_reason(cpu, XP_REASON_PASS_LINK_LOCAL, sz->packets, len, accounted);
	return XP_ACT_PASS;
spoofed:
	count_port(&port->rx, sz->packets, len, accounted);
	count_reason(cpu, XP_REASON_DROP_SPOOFED, sz->packets, len, accounted);
	return XP_ACT_DROP;
}

/* c: the whole frame, entering the datapath through ifindex. accounted: a constant (stats.h) */
static __always_inline enum xp_action route_frame(void *ctx, struct cursor *c, __u32 ifindex,
						  const struct frame_size *sz, bool accounted, __u32 *target,
						  struct tunnel_hop *hop)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct xp_port *port;
	struct ethhdr *eth;
	int proto;

	port = this_cpu_port(cpu, ifindex);
	if (!port || !port->vpc) {
		count_reason(cpu, XP_REASON_UNKNOWN_PORT, sz->packets, sz->bytes, accounted);
		return XP_ACT_PASS;
	}
	proto = parse_eth(c, &eth);
	if (proto == bpf_htons(ETH_P_IP))
		return route_ip(ctx, c, eth, port, sz, false, cpu, accounted, target, hop);
	if (proto == bpf_htons(ETH_P_IPV6))
		return route_ip(ctx, c, eth, port, sz, true, cpu, accounted, target, hop);
	if (proto < 0) {
		count_reason(cpu, XP_REASON_DROP_MALFORMED, sz->packets, sz->bytes, accounted);
		return XP_ACT_DROP;
	}
	count_reason(cpu, XP_REASON_PASS_NOT_IP, sz->packets, sz->bytes, accounted);
	return XP_ACT_PASS;
}

static __always_inline int route_xdp(struct xdp_md *ctx, bool accounted)
{
	__u32 len = ctx->data_end - ctx->data, target = 0;
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end, .len = len };
	struct frame_size sz = { .packets = 1, .bytes = len };
	struct tunnel_hop hop;

	switch (route_frame(ctx, &c, ctx->ingress_ifindex, &sz, accounted, &target, &hop)) {
	case XP_ACT_REDIRECT:
		return bpf_redirect(target, 0);
	case XP_ACT_ENCAP:
		if (!encap_xdp(ctx, &hop))
			return XDP_DROP;
		return bpf_redirect(hop.ifindex, 0);
	case XP_ACT_PASS:
		return XDP_PASS;
	default:
		return XDP_DROP;
	}
}

/* One read of the setting per packet, not one per counter: each copy of route_frame has it as a
 * constant, and the verifier drops the copy the loaded value rules out. */
SEC("xdp")
int xp_router(struct xdp_md *ctx)
{
	if (xp_unaccounted)
		return route_xdp(ctx, false);
	return route_xdp(ctx, true);
}

/* The same decision for a socket buffer on tc ingress: out through the egress link's datapath
 * side, whose peer takes it in through this CPU's backlog queue, as the kernel's forwarding does.
 * Not bpf_redirect_peer: handing it straight to the VPC side's ingress would deliver it, ACK it and
 * send more within this one softirq, while the sender's other CPU fills its own backlog queue,
 * and one TCP stream arrives out of order (ten times the kernel's spurious retransmissions). */
static __always_inline int route_tc(struct __sk_buff *skb, bool accounted)
{
	__u32 target = 0, headers = skb->len < XP_TC_HEADERS ? skb->len : XP_TC_HEADERS;
	struct cursor c;
	struct frame_size sz;
	struct tunnel_hop hop;

	if ((void *)(long)skb->data + headers > (void *)(long)skb->data_end)
		bpf_skb_pull_data(skb, headers); /* the headers into the linear part; the payload stays where it is */
	c = (struct cursor){ .pos = (void *)(long)skb->data, .end = (void *)(long)skb->data_end, .len = skb->len };
	sz = skb_frame_size(skb);
	switch (route_frame(skb, &c, skb->ingress_ifindex, &sz, accounted, &target, &hop)) {
	case XP_ACT_REDIRECT:
		return bpf_redirect(target, 0);
	case XP_ACT_ENCAP:
		if (!encap_tc(skb, &hop))
			return TC_ACT_SHOT;
		return bpf_redirect(hop.ifindex, 0);
	case XP_ACT_PASS:
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

SEC("tc")
int xp_router_tc(struct __sk_buff *skb)
{
	if (xp_unaccounted)
		return route_tc(skb, false);
	return route_tc(skb, true);
}

SEC("xdp")
int xp_vpc_side(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xp_underlay(struct xdp_md *ctx)
{
	if (xp_unaccounted)
		return underlay_xdp(ctx, false);
	return underlay_xdp(ctx, true);
}

SEC("tc")
int xp_underlay_tc(struct __sk_buff *skb)
{
	if (xp_unaccounted)
		return underlay_tc(skb, false);
	return underlay_tc(skb, true);
}
