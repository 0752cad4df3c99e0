/* tools/bench's maps (bpf/bench.bpf.c), shared with bench/: not part of the data plane. The same
 * rules as bpf_abi.h: fixed-width types and explicit padding, the layout pinned by the asserts. */
#ifndef XPEER_BENCH_ABI_H
#define XPEER_BENCH_ABI_H

#include <linux/types.h>

/* A traffic generator run with BPF_F_TEST_XDP_LIVE_FRAMES, a bare redirect hop and a counting
 * sink. One config entry, key 0.
 *
 * The generator writes each frame from a prepared template: the Ethernet, IP and UDP headers as
 * 8-byte words (the page pool recycles frames, and a router on the path rewrites MACs and TTL), then
 * the next destination of xb_dsts and the checksums adjusted for it. */
#define XB_HEAD_LEN 64 /* the template's bytes: IPv6's 62 bytes of headers, rounded up to words */
#define XB_SIZES 4     /* frame lengths the generator cycles through */

struct xb_template {
	__u8 head[XB_HEAD_LEN] __attribute__((aligned(8)));
	__u32 frame_len; /* bytes from the Ethernet header to the end of the payload */
	__u32 pad;
};

struct xb_config {
	__u32 out_ifindex;	/* xb_gen transmits here */
	__u32 redirect_ifindex; /* xb_redirect forwards here */
	/* xb_gen: 0 = the templates' destination as it is; else the frames take xb_dsts[0 ..
	 * dst_count - 1] in turn, each written into the templates' destination, whose bytes there are
	 * zero and whose checksums are those of zeros there */
	__u32 dst_count;
	__u32 is_v6;
	__u32 size_count; /* 1 .. XB_SIZES: the frames take sizes[0 .. size_count - 1] in turn */
	__u32 pad;
	struct xb_template sizes[XB_SIZES];
};

/* xb_dsts: the destinations, one __u64 each, as the bytes the generator writes into the frame
 * (network order): IPv4, the whole address in the first 4 bytes; IPv6, the address's last 8. */

/* xb_sink_check's record of what arrived: a bitmap of 2^XB_SEEN_BITS destinations (xb_seen_slot)
 * and a count of frames per length (xb_sizes, lengths from 0 to XB_MAX_FRAME). */
#define XB_SEEN_BITS 24
#define XB_MAX_FRAME 2047

/* The bit of a destination in xb_seen, from the __u64 the generator writes (as xb_dsts holds it):
 * IPv4 its low XB_SEEN_BITS bits, IPv6 a hash of its last 8 bytes. */
static inline __u32 xb_seen_slot(__u32 first, __u32 second, int is_v6)
{
	/* first, second: the destination's words as loaded from memory (network order) */
	if (!is_v6)
		return __builtin_bswap32(first) & ((1u << XB_SEEN_BITS) - 1);
	return ((first ^ __builtin_bswap32(second)) * 0x9e3779b1u) >> (32 - XB_SEEN_BITS);
}

/* The cost measurement: xb_cost writes these bytes over the frame's start, then tail-calls the
 * program under test, so that every BPF_PROG_TEST_RUN repeat sees the same packet (the router
 * decrements the TTL and rewrites the MACs it is given). With dst_count > 1, each repeat adds a
 * random 0 .. dst_count - 1 to the destination address. */
#define XB_COST_FRAME_LEN 64
struct xb_frame {
	__u8 bytes[XB_COST_FRAME_LEN] __attribute__((aligned(8))); /* xb_cost copies it in words */
	__u32 dst_count;
	__u8 is_v6;
	__u8 pad[3];
};

#ifdef __cplusplus
#include <cstddef>
static_assert(sizeof(struct xb_template) == XB_HEAD_LEN + 8, "xb_template layout");
static_assert(offsetof(struct xb_config, sizes) == 24 && sizeof(struct xb_config) == 24 + XB_SIZES * 72,
	      "xb_config layout");
static_assert(sizeof(struct xb_frame) == XB_COST_FRAME_LEN + 8, "xb_frame layout");
#else
_Static_assert(sizeof(struct xb_template) == XB_HEAD_LEN + 8, "xb_template layout");
_Static_assert(sizeof(struct xb_config) == 24 + XB_SIZES * 72, "xb_config layout");
_Static_assert(sizeof(struct xb_frame) == XB_COST_FRAME_LEN + 8, "xb_frame layout");
#endif

#endif
