/* The compiled lookup: the ingress VPC's trie (loader/compiler/fib.h), walked with the
 * destination's bytes, gives the tries' whole decision in at most 4 loads (IPv4) or 16 (IPv6). */
#ifndef XPEER_BPF_FIB_H
#define XPEER_BPF_FIB_H

#include "maps.h"

/* addr: the destination, zero-padded to 16 bytes. 0: the VPC has no compiled lookup now, and the
 * tries decide. */
static __always_inline const struct xp_fib_result *fib_lookup(__u32 vpc, const __u32 *addr, bool is_v6)
{
	const __u8 *bytes = (const __u8 *)addr;
	void *nodes = is_v6 ? (void *)&xp_fib_nodes_v6 : (void *)&xp_fib_nodes_v4;
	__u32 key = vpc * 2 + is_v6, entry;
	const struct xp_fib_node *node;
	__u32 *root;

	if (vpc >= XP_MAX_VPCS)
		return 0;
	root = bpf_map_lookup_elem(&xp_fib_roots, &key);
	if (!root)
		return 0;
	entry = *(volatile __u32 *)root; /* the loader swaps it while packets flow: read it once */
	if (!entry)
		return 0;
	entry |= XP_FIB_NODE;
#pragma unroll
	for (int i = 0; i < 16; i++) {
		__u32 index = entry & ~XP_FIB_NODE;

		if (i == (is_v6 ? 16 : 4))
			return 0; /* a node below the last byte: a loader bug; the tries decide */
		node = bpf_map_lookup_elem(nodes, &index);
		if (!node)
			return 0;
		entry = node->entry[bytes[i]];
		if (!(entry & XP_FIB_NODE))
			return bpf_map_lookup_elem(&xp_fib_results, &entry);
	}
	return 0;
}

#endif
