/* Every map of the router. Keys and values come from include/xpeer/bpf_abi.h. */
#ifndef XPEER_BPF_MAPS_H
#define XPEER_BPF_MAPS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xpeer/bpf_abi.h"

/* True only in tools/bench's copy of the router, set through the skeleton's rodata before load:
 * the router without counters and policer, run beside the real one to measure what they cost.
 * xp_router reads it once and runs a copy of its core in which it is a constant (the accounted
 * argument of the counting helpers); the verifier removes the copy that the value rules out. */
const volatile __u8 xp_unaccounted = 0; /* __u8, not bool: the skeleton would spell it _Bool, which C++ has not */

/* Per CPU: key cpu * XP_PORTS_PER_CPU + ifindex. An array, so that finding the ingress port costs
 * no hash: the loader keeps the datapath side's ifindexes below XP_MAX_PORTS. An element whose vpc
 * is 0 is no port. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_PORTS_PER_CPU); /* x CPU ids */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32); /* CPU id * XP_PORTS_PER_CPU + ifindex */
	__type(value, struct xp_port);
} xp_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XP_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xp_lpm_key_v4);
	__type(value, struct xp_route);
} xp_routes_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XP_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xp_lpm_key_v6);
	__type(value, struct xp_route);
} xp_routes_v6 SEC(".maps");

/* The compiled lookup (bpf/fib.h). Mappable: the loader writes nodes and swaps roots with plain
 * stores, each 32-bit entry at once. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_MAX_VPCS * 2);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);   /* VPC key * 2 + (IPv6) */
	__type(value, __u32); /* the root's index in xp_fib_nodes_v4 or _v6; 0: none, the tries decide */
} xp_fib_roots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_FIB_NODES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xp_fib_node);
} xp_fib_nodes_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_FIB_NODES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xp_fib_node);
} xp_fib_nodes_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_FIB_RESULTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xp_fib_result);
} xp_fib_results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xp_control);
} xp_control SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_MAX_PEERINGS);
	__uint(map_flags, BPF_F_MMAPABLE); /* a route change reads every slot: one mapping, no copy */
	__type(key, __u32);		   /* peering slot */
	__type(value, struct xp_peering);
} xp_peerings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_LINKS_PER_CPU); /* x CPU ids */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32); /* peering slot * XP_DIR_MAX + enum xp_direction */
	__type(value, struct xp_link_counters);
} xp_link_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY); /* not per-CPU: one bucket for all CPUs */
	__uint(max_entries, (XP_MAX_PEERINGS * XP_DIR_MAX));
	__type(key, __u32); /* peering slot * XP_DIR_MAX + enum xp_direction */
	__type(value, struct xp_policer);
} xp_policers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, (XP_MAX_PEERINGS * XP_DIR_MAX));
	__type(key, __u32); /* peering slot * XP_DIR_MAX + enum xp_direction */
	__type(value, struct xp_link_share);
} xp_link_shares SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32); /* 0 */
	__type(value, struct xp_underlay_qos);
} xp_underlay_qos SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32); /* 0 */
	__type(value, struct xp_policer);
} xp_underlay_policer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_MAX_TUNNELS);
	__type(key, __u32); /* tunnel slot: the target of an XP_NH_REMOTE route */
	__type(value, struct xp_tunnel);
} xp_tunnels SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XP_MAX_TUNNELS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xp_underlay_key);
	__type(value, __u32); /* the host's tunnel slot */
} xp_underlay_hosts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XP_VERDICTS_PER_CPU); /* x CPU ids */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32); /* the CPU id */
	__type(value, struct xp_verdicts);
} xp_verdicts SEC(".maps");

/* CPU cpu's element idx of a per-CPU map: per_cpu elements for each CPU (include/xpeer/bpf_abi.h).
 * cpu: bpf_get_smp_processor_id(), read once per packet. */
static __always_inline void *this_cpu_elem(void *map, __u32 cpu, __u32 per_cpu, __u32 idx)
{
	__u32 key = cpu * per_cpu + idx;

	if (idx >= per_cpu)
		return 0;
	return bpf_map_lookup_elem(map, &key);
}

/* This CPU's element of the port on ifindex: its VPC and counters. */
static __always_inline struct xp_port *this_cpu_port(__u32 cpu, __u32 ifindex)
{
	return this_cpu_elem(&xp_ports, cpu, XP_PORTS_PER_CPU, ifindex);
}

#endif
