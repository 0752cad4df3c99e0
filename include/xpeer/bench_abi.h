/* tools/bench's maps (bpf/bench.bpf.c), shared with bench/: not part of the data plane. The same
 * rules as bpf_abi.h: fixed-width types and explicit padding, the layout pinned by the asserts. */
#ifndef XPEER_BENCH_ABI_H
#define XPEER_BENCH_ABI_H

#include <linux/types.h>

/* A traffic generator run with BPF_F_TEST_XDP_LIVE_FRAMES, a bare redirect hop and a counting
 * sink. One config entry, key 0. */
struct xb_config {
	__u32 out_ifindex;	/* xb_gen transmits here */
	__u32 redirect_ifindex; /* xb_redirect forwards here */
	__u32 dst_count;	/* xb_gen: destinations dst .. dst + dst_count - 1 (last 32 bits), at random */
	__u32 is_v6;
	__u8 smac[6];
	__u8 dmac[6];
	__u8 src[16]; /* IPv4: the first 4 bytes */
	__u8 dst[16];
};

/* The cost measurement: xb_cost writes these bytes over the frame's start, then tail-calls the
 * program under test, so that every BPF_PROG_TEST_RUN repeat sees the same packet (the router
 * decrements the TTL and rewrites the MACs it is given). With dst_count > 1, each repeat adds a
 * random 0 .. dst_count - 1 to the destination address, as xb_gen does. */
#define XB_COST_FRAME_LEN 64
struct xb_frame {
	__u8 bytes[XB_COST_FRAME_LEN] __attribute__((aligned(8))); /* xb_cost copies it in words */
	__u32 dst_count;
	__u8 is_v6;
	__u8 pad[3];
};

#ifdef __cplusplus
#include <cstddef>
static_assert(sizeof(struct xb_config) == 60, "xb_config layout");
static_assert(offsetof(struct xb_config, smac) % 2 == 0 && offsetof(struct xb_config, dmac) % 2 == 0,
	      "MACs at even offsets: the generator copies them in 16-bit words");
static_assert(sizeof(struct xb_frame) == XB_COST_FRAME_LEN + 8, "xb_frame layout");
#else
_Static_assert(sizeof(struct xb_config) == 60, "xb_config layout");
_Static_assert(sizeof(struct xb_frame) == XB_COST_FRAME_LEN + 8, "xb_frame layout");
#endif

#endif
