// SPDX-License-Identifier: GPL-2.0
/* tools/bench bulk: bare forwarders between two veths, to weigh the hooks a router could sit on
 * against each other with real TCP and UDP. Not part of the data plane: no lookup, no counters,
 * only what every forwarder must do (new MACs, out through the other veth).
 *
 * bf_ports: ingress ifindex -> where to send and with which MACs; tools/bench.d/bulk.sh fills it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "rewrite.h"

char LICENSE[] SEC("license") = "GPL";

struct bf_port {
	__u32 target; /* egress ifindex: the other datapath-side veth */
	__u8 smac[6]; /* its MAC */
	__u8 dmac[6]; /* its peer's MAC, in the other namespace */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* ingress ifindex */
	__type(value, struct bf_port);
} bf_ports SEC(".maps");

static __always_inline const struct bf_port *rewrite(void *data, void *end, __u32 ifindex)
{
	struct ethhdr *eth = data;
	const struct bf_port *p;

	if ((void *)(eth + 1) > end)
		return 0;
	p = bpf_map_lookup_elem(&bf_ports, &ifindex);
	if (!p)
		return 0;
	copy_mac(eth->h_dest, p->dmac);
	copy_mac(eth->h_source, p->smac);
	return p;
}

/* tc ingress of a datapath-side veth: straight into the ingress of the other veth's peer, in its
 * own namespace, without a second pass through a veth's transmit (as Cilium does for pods). */
SEC("tc")
int bf_tc_peer(struct __sk_buff *skb)
{
	const struct bf_port *p = rewrite((void *)(long)skb->data, (void *)(long)skb->data_end, skb->ingress_ifindex);

	return p ? bpf_redirect_peer(p->target, 0) : TC_ACT_OK;
}

/* tc ingress of a datapath-side veth: out through the other veth's transmit, whose peer takes it
 * into its namespace through the backlog queue of this CPU (as the kernel's forwarding does). */
SEC("tc")
int bf_tc_redirect(struct __sk_buff *skb)
{
	const struct bf_port *p = rewrite((void *)(long)skb->data, (void *)(long)skb->data_end, skb->ingress_ifindex);

	return p ? bpf_redirect(p->target, 0) : TC_ACT_OK;
}

/* XDP multi-buffer on a datapath-side veth: out through the other veth. */
SEC("xdp.frags")
int bf_xdp_frags(struct xdp_md *ctx)
{
	const struct bf_port *p = rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end, ctx->ingress_ifindex);

	return p ? bpf_redirect(p->target, 0) : XDP_PASS;
}

/* On the VPC-side veths, so that they accept redirected multi-buffer frames. */
SEC("xdp.frags")
int bf_xdp_frags_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
