// SPDX-License-Identifier: GPL-2.0
/* tools/bench: the generator, a bare redirect hop and a counting sink. Not part of the data plane.
 *
 * xb_gen runs under BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each run's frame is
 * transmitted for real. The page pool recycles frames, and a router on the way rewrites their MACs
 * and TTL, so the headers are written every time: from a prepared template, in words. */
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
	__uint(max_entries, 1); /* set to the destinations' number before loading */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} xb_dsts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, (1 << XB_SEEN_BITS) / 64);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} xb_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XB_MAX_FRAME + 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} xb_sizes SEC(".maps");

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
 * the caller has bounds-checked (IPv4: and sets the header checksum again). For xb_cost. */
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

/* The generator's place in xb_dsts and in the config's sizes: one generator runs at a time. */
__u32 xb_next_dst;
__u32 xb_next_size;

/* A checksum over zeros where the destination goes, adjusted for the destination's 16-bit words
 * (their one's complement sum, folded, in memory order as the checksum itself is). */
static __always_inline __u16 csum_add(__u16 check, __u32 words_sum)
{
	__u32 sum = (__u16)~check + words_sum;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static __always_inline __u32 words_sum(__u64 v)
{
	__u64 sum = (v & 0xffffffff) + (v >> 32);

	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

#define ETH_LEN 14
#define V4_DADDR (ETH_LEN + 16)
#define V4_CHECK (ETH_LEN + 10)
#define V6_DADDR_LOW (ETH_LEN + 24 + 8)
#define V6_UDP_CHECK (ETH_LEN + 40 + 6)

SEC("xdp")
int xb_gen(struct xdp_md *ctx)
{
	__u32 key = 0, t = 0;
	struct xb_config *cfg = bpf_map_lookup_elem(&xb_config, &key);
	void *data, *end;

	if (!cfg)
		return XDP_ABORTED;
	if (cfg->size_count > 1) {
		/* the run's frame is the longest size; the others are cut from its tail */
		t = xb_next_size;
		xb_next_size = t + 1 >= cfg->size_count ? 0 : t + 1;
		if (t >= XB_SIZES)
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		if (bpf_xdp_adjust_tail(ctx, (int)cfg->sizes[t].frame_len - (int)(end - data)))
			return XDP_ABORTED;
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + XB_HEAD_LEN > end)
		return XDP_ABORTED;
#pragma unroll
	for (int i = 0; i < XB_HEAD_LEN / 8; i++)
		((__u64 *)data)[i] = ((const __u64 *)cfg->sizes[t].head)[i];
	if (cfg->dst_count) {
		__u32 i = xb_next_dst;
		__u64 *dst;
		__u16 *check;

		xb_next_dst = i + 1 >= cfg->dst_count ? 0 : i + 1;
		dst = bpf_map_lookup_elem(&xb_dsts, &i);
		if (!dst)
			return XDP_ABORTED;
		if (cfg->is_v6) {
			*(__u64 *)(data + V6_DADDR_LOW) = *dst;
			check = data + V6_UDP_CHECK;
			*check = csum_add(*check, words_sum(*dst)) ?: 0xffff; /* 0 would mean no checksum */
		} else {
			*(__u32 *)(data + V4_DADDR) = (__u32)*dst;
			check = data + V4_CHECK;
			*check = csum_add(*check, words_sum((__u32)*dst));
		}
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

/* The sink that also records what arrived, for tests/e2e/bench_generator.sh: of each UDP datagram
 * from port 9 to port 9 (the generator's; the kernel's own neighbour and multicast messages on
 * the link are not), the destination's bit in xb_seen and the frame's length in xb_sizes. */
SEC("xdp")
int xb_sink_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u32 key = 0, len = end - data, slot;
	__u64 *n = bpf_map_lookup_elem(&xb_received, &key), *word, *count;

	if (n)
		(*n)++;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_DROP;
		slot = xb_seen_slot(ip6->daddr.in6_u.u6_addr32[2], ip6->daddr.in6_u.u6_addr32[3], 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > end || ip->protocol != IPPROTO_UDP)
			return XDP_DROP;
		slot = xb_seen_slot(ip->daddr, 0, 0);
	} else {
		return XDP_DROP;
	}
	if (udp->source != bpf_htons(9) || udp->dest != bpf_htons(9))
		return XDP_DROP;
	if (len > XB_MAX_FRAME)
		len = XB_MAX_FRAME;
	count = bpf_map_lookup_elem(&xb_sizes, &len);
	if (count)
		__sync_fetch_and_add(count, 1);
	key = slot / 64;
	word = bpf_map_lookup_elem(&xb_seen, &key);
	if (word) /* not atomic (that needs -mcpu=v3): one generator's frames arrive on its own CPU */
		*word |= 1ull << (slot % 64);
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
