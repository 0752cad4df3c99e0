// SPDX-License-Identifier: GPL-2.0
/* xp_router: the XDP program on the datapath side of every vSwitch link.
 * xp_vpc_side: on the VPC side, so that the veth accepts redirected frames. */
#include "parse.h"
#include "rewrite.h"
#include "route.h"
#include "source.h"
#include "stats.h"

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

static __always_inline int route_ip(struct cursor *c, struct ethhdr *eth, struct xp_port *port, __u32 len, bool is_v6,
				    __u32 cpu, bool accounted)
{
	struct iphdr *ip = 0;
	struct ipv6hdr *ip6 = 0;
	const __u32 *dst;
	__u8 ttl;
	struct decision d; /* decide() fills it */
	enum xp_reason reason;

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
	count_port(&port->rx, len, accounted);

	d.cpu = cpu;
	reason = decide(port->vpc, dst, is_v6, len - sizeof(*eth), ttl, &d, accounted);
	count_verdict(cpu, reason, d.cache, len, accounted);
	if (!d.link_counters)
		d.link_counters = this_cpu_link(cpu, d.link, accounted);
	count_link(d.link_counters, reason, len - sizeof(*eth)); /* a link carries IP traffic: that is what is billed */
	if (!is_forward(reason))
		return XDP_DROP;

	rewrite_macs(eth, d.route);
	if (is_v6)
		ip6->hop_limit--;
	else
		ipv4_decrease_ttl(ip);
	count_egress(cpu, d.route->target, len, accounted);
	return bpf_redirect(d.route->target, 0);

malformed:
	count_reason(cpu, XP_REASON_DROP_MALFORMED, len, accounted);
	return XDP_DROP;
link_scope:
	count_reason(cpu, XP_REASON_PASS_LINK_LOCAL, len, accounted);
	return XDP_PASS;
spoofed:
	count_port(&port->rx, len, accounted);
	count_reason(cpu, XP_REASON_DROP_SPOOFED, len, accounted);
	return XDP_DROP;
}

/* accounted: a constant (stats.h) */
static __always_inline int route_frame(struct xdp_md *ctx, bool accounted)
{
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	__u32 len = ctx->data_end - ctx->data;
	__u32 ifindex = ctx->ingress_ifindex;
	__u32 cpu = bpf_get_smp_processor_id();
	struct xp_port *port;
	struct ethhdr *eth;
	int proto;

	port = this_cpu_port(cpu, ifindex);
	if (!port || !port->vpc) {
		count_reason(cpu, XP_REASON_UNKNOWN_PORT, len, accounted);
		return XDP_PASS;
	}
	proto = parse_eth(&c, &eth);
	if (proto == bpf_htons(ETH_P_IP))
		return route_ip(&c, eth, port, len, false, cpu, accounted);
	if (proto == bpf_htons(ETH_P_IPV6))
		return route_ip(&c, eth, port, len, true, cpu, accounted);
	if (proto < 0) {
		count_reason(cpu, XP_REASON_DROP_MALFORMED, len, accounted);
		return XDP_DROP;
	}
	count_reason(cpu, XP_REASON_PASS_NOT_IP, len, accounted);
	return XDP_PASS;
}

/* One read of the setting per packet, not one per counter: each copy of route_frame has it as a
 * constant, and the verifier drops the copy the loaded value rules out. */
SEC("xdp")
int xp_router(struct xdp_md *ctx)
{
	if (xp_unaccounted)
		return route_frame(ctx, false);
	return route_frame(ctx, true);
}

SEC("xdp")
int xp_vpc_side(struct xdp_md *ctx)
{
	return XDP_PASS;
}
