#pragma once
// Map entries decoded for people (`xpeer maps`): the store's ids in place of keys, slots and
// ifindexes, CIDRs, kinds and verdicts by name, per-CPU values summed. Pure: the KernelDataplane gives
// them what it read from the pins, the unit tests' fake data plane what it holds.
#include <vector>

#include "model/direction.h"
#include "model/map_view.h"
#include "model/model.h"
#include "xpeer/bpf_abi.h"

namespace xpeer::map_rows {

using Row = nlohmann::ordered_json;

// "vswitch", "peering", "reserved"
std::string kind_name(uint32_t kind);
// What the scope calls VPC key `key`: its id, or "?" for a key no VPC of the store has.
std::string vpc_name(const MapScope& scope, uint32_t key);
// What the scope calls peering slot `slot`: its connection's id, or "?".
std::string peering_name(const MapScope& scope, uint32_t slot);
// Whether a route entry is one the scope shows.
bool in_scope(const MapScope& scope, uint32_t vpc_key, const xp_route& route);

Row route(const xp_lpm_key_v4& key, const xp_route& route, const MapScope& scope);
Row route(const xp_lpm_key_v6& key, const xp_route& route, const MapScope& scope);
// summed: the port's copies summed over CPUs (datapath/counters.h).
Row port(uint32_t ifindex, const xp_port& summed, const MapScope& scope);
Row peering(uint32_t slot, const xp_peering& p, const MapScope& scope);
// One direction of a peering (enum xp_direction); stash: the policer's bytes held by every CPU.
Row link(uint32_t slot, Direction direction, const xp_peering& p, const LinkCounters& summed, uint64_t stash, const MapScope& scope);
Row policer(uint32_t slot, Direction direction, const xp_policer& bucket, const MapScope& scope);
// This host's part of a direction's bandwidth, and which of its rates the router polices at now_ns.
Row link_share(uint32_t slot, Direction direction, const xp_link_share& share, uint64_t now_ns, const MapScope& scope);
Row control(const xp_control& c);
// The underlay's bandwidth, and what each DSCP leaves in its bucket: a row of the DSCPs with a
// reserve of their own and one for all the others.
Row underlay_qos(const xp_underlay_qos& q);
Row underlay_policer(const xp_policer& bucket);
Row tunnel(uint32_t slot, const xp_tunnel& t);
Row underlay_host(const xp_underlay_key& key, uint32_t slot);
// A VPC's compiled lookup of one family: its root node and how many nodes and decisions it uses.
Row fib_root(uint32_t vpc_key, bool is_v6, uint32_t root, size_t nodes, size_t results, const MapScope& scope);
// One decision of the compiled lookups, by its index.
Row fib_result(uint32_t index, const xp_fib_result& r, const MapScope& scope);
// The verdicts summed over CPUs: a row per reason, then one per lookup (enum xp_lookup).
std::vector<Row> verdicts(const std::vector<xp_verdicts>& per_cpu);

}  // namespace xpeer::map_rows
