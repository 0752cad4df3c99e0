/* xp_underlay: what arrives on the underlay interface. VXLAN to XP_VXLAN_PORT is other hosts'
 * routers sending to this host's vSwitches: taken apart here and redirected, if it comes from a
 * registered host and its VNI's VPC owns the inner destination through a vSwitch on this host.
 * Everything else is the host's own traffic (etcd, ssh) and goes up to the kernel untouched. */
#ifndef XPEER_BPF_UNDERLAY_H
#define XPEER_BPF_UNDERLAY_H

#include "parse.h"
#include "rewrite.h"
#include "route.h"
#include "stats.h"
#include "tunnel.h"

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

static __always_inline int decapsulate(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, cpu = bpf_get_smp_processor_id(), vni, outer, inner_len;
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end, .len = len };
	const struct xp_route *route;
	struct vxlanhdr_xp *vx;
	struct ethhdr *eth;
	struct iphdr *ip = 0;
	struct ipv6hdr *ip6 = 0;
	struct udphdr *udp;
	const __u32 *dst;
	bool outer_v6, inner_v6;
	int proto;

	proto = parse_eth(&c, &eth);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4(&c, &ip) != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x3fff)))
			return XDP_PASS; /* not ours, or a fragment: the kernel's */
		outer_v6 = false;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(&c, &ip6) != IPPROTO_UDP)
			return XDP_PASS;
		outer_v6 = true;
	} else {
		return XDP_PASS;
	}
	udp = c.pos;
	if ((void *)(udp + 1) > c.end || udp->dest != bpf_htons(XP_VXLAN_PORT))
		return XDP_PASS;
	if (!from_registered_host(outer_v6 ? (void *)&ip6->saddr : (void *)&ip->saddr, outer_v6)) {
		count_reason(cpu, XP_REASON_DROP_TUNNEL_SOURCE, 1, len, true);
		return XDP_DROP;
	}
	vx = (void *)(udp + 1);
	if ((void *)(vx + 1) > c.end || !(vx->flags & XP_VXLAN_FLAG_VNI))
		goto malformed;
	c.pos = vx + 1;
	c.off += sizeof(*udp) + sizeof(*vx);
	vni = ((__u32)vx->vni[0] << 16) | ((__u32)vx->vni[1] << 8) | vx->vni[2];
	outer = c.off;

	proto = parse_eth(&c, &eth);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4(&c, &ip) < 0)
			goto malformed;
		dst = &ip->daddr;
		inner_v6 = false;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(&c, &ip6) < 0)
			goto malformed;
		dst = ip6->daddr.in6_u.u6_addr32;
		inner_v6 = true;
	} else {
		goto malformed; /* a router sends IP only */
	}
	route = inner_v6 ? local_vswitch(vni, dst, true) : local_vswitch(vni, dst, false); /* constant sizes to copy */
	inner_len = len - outer;
	if (!route) {
		count_reason(cpu, XP_REASON_DROP_TUNNEL_VNI, 1, inner_len, true);
		return XDP_DROP;
	}
	count_reason(cpu, XP_REASON_FORWARD_TUNNEL_IN, 1, inner_len, true);
	count_egress(cpu, route->target, 1, inner_len, true);
	if (bpf_xdp_adjust_head(ctx, outer))
		return XDP_DROP;
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	rewrite_macs(eth, route);
	return bpf_redirect(route->target, 0);

malformed:
	count_reason(cpu, XP_REASON_DROP_MALFORMED, 1, len, true);
	return XDP_DROP;
}

#endif
