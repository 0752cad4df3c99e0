#pragma once
// The router's maps (bpf/maps.h defines them for the kernel), written out once. BpfRouter's
// members, opening the pins, sizing the per-CPU maps, the check of the BPF object against this
// list and `xpeer maps` all follow it: adding a map is a line here plus its use.
#include "datapath/cpu_array.h"
#include "datapath/mapped_array.h"
#include "datapath/typed_map.h"
#include "model/map_view.h"
#include "xpeer/bpf_abi.h"

// X(member, BPF map type, owner, per-CPU elements (0: not per CPU), what it holds, C++ type).
// The pin and the BPF object's map are named "xp_" member.
#define XPEER_ROUTER_MAPS(X) \
    X(routes_v4, LPM_TRIE, Vpc, 0, "IPv4 routes: {VPC key, CIDR} -> vSwitch veth, peering slot or reserved", \
      TypedMap<xp_lpm_key_v4, xp_route>) \
    X(routes_v6, LPM_TRIE, Vpc, 0, "IPv6 routes: {VPC key, CIDR} -> vSwitch veth, peering slot or reserved", \
      TypedMap<xp_lpm_key_v6, xp_route>) \
    X(ports, ARRAY, Vpc, XP_PORTS_PER_CPU, "by datapath-side ifindex: the vSwitch's VPC key and CIDRs, rx/tx counters per CPU", \
      CpuArray<xp_port>) \
    X(peerings, ARRAY, Peering, 0, "by slot: both VPC keys, active, rate and burst in bytes", TypedMap<uint32_t, xp_peering>) \
    X(link_stats, ARRAY, Peering, XP_LINKS_PER_CPU, "by slot x 2 + direction: packets, bytes and drops per CPU, policer stash", \
      CpuArray<xp_link_counters>) \
    X(policers, ARRAY, Peering, 0, "by slot x 2 + direction: the token bucket of the connection's bandwidth", \
      TypedMap<uint32_t, xp_policer>) \
    X(link_shares, ARRAY, Peering, 0, "by slot x 2 + direction: this host's part of the bandwidth, when hosts share it", \
      TypedMap<uint32_t, xp_link_share>) \
    X(tunnels, ARRAY, Router, 0, "by tunnel slot: another host's underlay address, this host's, the underlay interface", \
      TypedMap<uint32_t, xp_tunnel>) \
    X(underlay_qos, ARRAY, Router, 0, "key 0: this host's underlay bandwidth, and the depth each DSCP leaves to the classes above", \
      TypedMap<uint32_t, xp_underlay_qos>) \
    X(underlay_policer, ARRAY, Router, 0, "key 0: the token bucket of this host's underlay bandwidth", TypedMap<uint32_t, xp_policer>) \
    X(underlay_hosts, HASH, Router, 0, "the registered hosts' underlay addresses (IPv4 as ::ffff:a.b.c.d) -> tunnel slot", \
      TypedMap<xp_underlay_key, uint32_t>) \
    X(verdicts, ARRAY, Router, XP_VERDICTS_PER_CPU, "one element per CPU: packets and bytes by verdict, packets by lookup", \
      CpuArray<xp_verdicts>) \
    X(fib_roots, ARRAY, Vpc, 0, "by VPC key x 2 + (IPv6): the root node of its compiled lookup; 0: the tries decide", \
      MappedArray<uint32_t>) \
    X(fib_nodes_v4, ARRAY, Router, 0, "the compiled IPv4 lookups' nodes: 256 entries each, a node or a decision", \
      MappedArray<xp_fib_node>) \
    X(fib_nodes_v6, ARRAY, Router, 0, "the compiled IPv6 lookups' nodes: 256 entries each, a node or a decision", \
      MappedArray<xp_fib_node>) \
    X(fib_results, ARRAY, Router, 0, "the compiled lookups' decisions: verdict, link, vSwitch veth", MappedArray<xp_fib_result>) \
    X(control, ARRAY, Router, 0, "key 0: compiled_off, the interrupted-command mark", TypedMap<uint32_t, xp_control>)

namespace xpeer {

struct RouterMap {
    const char* name;
    bpf_map_type type;
    MapOwner owner;
    uint32_t per_cpu;
    const char* holds;
};

#define XPEER_ROUTER_MAP_ROW(member, type, owner, per_cpu, holds, ...) \
    RouterMap{"xp_" #member, BPF_MAP_TYPE_##type, MapOwner::owner, per_cpu, holds},
inline constexpr RouterMap kRouterMaps[] = {XPEER_ROUTER_MAPS(XPEER_ROUTER_MAP_ROW)};
#undef XPEER_ROUTER_MAP_ROW

// The entry of kRouterMaps named `name`, or nullptr.
const RouterMap* find_router_map(const std::string& name);
// A row of kRouterMaps as the model has it: the type named as bpftool names it.
MapInfo info_of(const RouterMap& m);
std::vector<MapInfo> router_map_infos();

}  // namespace xpeer
