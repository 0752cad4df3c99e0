/* Anti-spoofing: a VPC sends only from its own addresses. A frame's source must lie in the
 * ingress vSwitch's CIDR of its family and not be one of the subnet's reserved addresses (the
 * network address, the gateway, the IPv4 broadcast), which no instance holds. Without this, a
 * VPC could send into a peer with another tenant's source, and the peer's replies would go to
 * that tenant: a reflection across a peering the sender is not party to. */
#ifndef XPEER_BPF_SOURCE_H
#define XPEER_BPF_SOURCE_H

#include "parse.h"
#include "xpeer/bpf_abi.h"

/* host: the source's host bits (host order), all_ones: every host bit set */
static __always_inline bool is_reserved_host(__u64 host, __u64 all_ones, bool has_broadcast)
{
	return host == 0 || host == 1 || (has_broadcast && host == all_ones);
}

static __always_inline bool source_ok_v4(const struct xp_port *port, const struct iphdr *ip)
{
	__u32 len = port->src_v4_len, src = bpf_ntohl(ip->saddr), net, host_mask;

	if (len == 0 || len > 32)
		return false;
	net = bpf_ntohl(*(const __u32 *)port->src_v4);
	host_mask = len == 32 ? 0 : 0xffffffffu >> len;
	if ((src & ~host_mask) != net)
		return false;
	return !is_reserved_host(src & host_mask, host_mask, true);
}

/* A vSwitch's IPv6 CIDR is /64 to /120 (controller/rules.cpp): the upper half compares whole. */
static __always_inline bool source_ok_v6(const struct xp_port *port, const struct ipv6hdr *ip6)
{
	__u32 len = port->src_v6_len;
	__u64 hi, lo, net_hi, net_lo, host_mask;

	if (len < 64 || len > 128)
		return false;
	__builtin_memcpy(&hi, &ip6->saddr.in6_u.u6_addr32[0], 8);
	__builtin_memcpy(&net_hi, port->src_v6, 8);
	if (hi != net_hi)
		return false;
	__builtin_memcpy(&lo, &ip6->saddr.in6_u.u6_addr32[2], 8);
	__builtin_memcpy(&net_lo, port->src_v6 + 8, 8);
	lo = bpf_be64_to_cpu(lo);
	net_lo = bpf_be64_to_cpu(net_lo);
	host_mask = len == 64 ? ~0ull : len == 128 ? 0 : ~0ull >> (len - 64);
	if ((lo & ~host_mask) != net_lo)
		return false;
	return !is_reserved_host(lo & host_mask, host_mask, false);
}

#endif
