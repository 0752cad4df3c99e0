// SPDX-License-Identifier: GPL-2.0
/* tools/bench: the generator, a bare redirect hop and a counting sink. Not part of the data plane.
 *
 * xb_gen runs under BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each run's frame is
 * transmitted for real. The page pool recycles frames, so the whole header is written every time. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xpeer/bench_abi.h"
#include "rewrite.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xb_config);
} xb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xb_received SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xb_frame);
} xb_frame SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xb_target SEC(".maps");

static __always_inline __u16 ipv4_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* Adds pick to the last word of the destination address of an Ethernet frame whose IP header
 * the caller has bounds-checked (IPv4: and sets the header checksum again). */
static __always_inline void add_to_destination(void *data, bool is_v6, __u32 pick)
{
	if (is_v6) {
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
		__u32 *last = &ip6->daddr.in6_u.u6_addr32[3];

		*last = bpf_htonl(bpf_ntohl(*last) + pick);
	} else {
		struct iphdr *ip = data + sizeof(struct ethhdr);

		ip->daddr = bpf_htonl(bpf_ntohl(ip->daddr) + pick);
		ip->check = 0;
		ip->check = ipv4_csum(ip);
	}
}

SEC("xdp")
int xb_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 key = 0, pick = 0;
	struct xb_config *cfg = bpf_map_lookup_elem(&xb_config, &key);

	if (!cfg)
		return XDP_ABORTED;
	if (cfg->dst_count > 1)
		pick = bpf_get_prandom_u32() % cfg->dst_count;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	copy_mac(eth->h_dest, cfg->dmac);
	copy_mac(eth->h_source, cfg->smac);
	if (cfg->is_v6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct udphdr *udp = (void *)(ip6 + 1);

		if ((void *)(udp + 1) > end)
			return XDP_ABORTED;
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		*(__u32 *)ip6 = bpf_htonl(0x60000000);
		ip6->payload_len = bpf_htons((__u16)(end - (void *)udp));
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		__builtin_memcpy(&ip6->saddr, cfg->src, 16);
		__builtin_memcpy(&ip6->daddr, cfg->dst, 16);
		add_to_destination(data, true, pick);
		udp->source = bpf_htons(9);
		udp->dest = bpf_htons(9);
		udp->len = ip6->payload_len;
		udp->check = 0;
	} else {
		struct iphdr *ip = (void *)(eth + 1);
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > end)
			return XDP_ABORTED;
		eth->h_proto = bpf_htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tos = 0;
		ip->tot_len = bpf_htons((__u16)(end - (void *)ip));
		ip->id = 0;
		ip->frag_off = 0;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		__builtin_memcpy(&ip->saddr, cfg->src, 4);
		__builtin_memcpy(&ip->daddr, cfg->dst, 4);
		add_to_destination(data, false, pick); /* and the checksum */
		udp->source = bpf_htons(9);
		udp->dest = bpf_htons(9);
		udp->len = bpf_htons((__u16)(end - (void *)udp));
		udp->check = 0;
	}
	return bpf_redirect(cfg->out_ifindex, 0);
}

/* The cheapest possible router: every frame out of one interface. */
SEC("xdp")
int xb_redirect(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct xb_config *cfg = bpf_map_lookup_elem(&xb_config, &key);

	return cfg ? bpf_redirect(cfg->redirect_ifindex, 0) : XDP_ABORTED;
}

SEC("xdp")
int xb_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&xb_received, &key);

	if (n)
		(*n)++;
	return XDP_DROP;
}

/* On a veth that must accept redirected frames and hand them to the kernel (its forwarding). */
SEC("xdp")
int xb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* The program under test (xb_target[0]) on the same frame every time: see struct xb_frame. */
SEC("xdp")
int xb_cost(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	struct xb_frame *f = bpf_map_lookup_elem(&xb_frame, &key);

	if (!f || data + XB_COST_FRAME_LEN > end)
		return XDP_ABORTED;
#pragma unroll
	/* In words: the program under test reads the frame at once, and loads wider than the stores
	 * before them wait for those stores to complete (a byte copy would time that, not the program). */
	for (int i = 0; i < XB_COST_FRAME_LEN / 8; i++)
		((__u64 *)data)[i] = ((const __u64 *)f->bytes)[i];
	if (f->dst_count > 1)
		add_to_destination(data, f->is_v6, bpf_get_prandom_u32() % f->dst_count);
	bpf_tail_call(ctx, &xb_target, 0);
	return XDP_ABORTED;
}
