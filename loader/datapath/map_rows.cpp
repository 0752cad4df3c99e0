#include "datapath/map_rows.h"

#include <algorithm>
#include <map>

#include "compiler/lpm_key.h"
#include "datapath/counters.h"

namespace xpeer::map_rows {
namespace {

std::string name_in(const std::map<uint32_t, std::string>& names, uint32_t key) {
    auto it = names.find(key);
    return it == names.end() ? "?" : it->second;
}

Row route_row(uint32_t vpc_key, const Cidr& cidr, const xp_route& r, const MapScope& scope) {
    Row row{{"VpcId", vpc_name(scope, vpc_key)}, {"VpcKey", vpc_key}, {"Cidr", cidr.str()}, {"Kind", kind_name(r.kind)}};
    switch (r.kind) {
        case XP_NH_VSWITCH:
            row["Target"] = name_in(scope.vswitches, r.target);
            row["TargetIndex"] = r.target;  // the egress ifindex
            break;
        case XP_NH_PEERING:
            row["Target"] = peering_name(scope, r.target);
            row["TargetIndex"] = r.target;  // the slot
            break;
        case XP_NH_REMOTE:
            row["Target"] = "tunnel " + std::to_string(r.target);
            row["TargetIndex"] = r.target;  // the tunnel slot: another host (xp_tunnels)
            break;
        default:
            row["Target"] = nullptr;
            row["TargetIndex"] = nullptr;
    }
    return row;
}

std::optional<std::string> cidr_or_none(Family family, const uint8_t* bytes, uint8_t len) {
    if (!len) return std::nullopt;
    IpAddr a{family, {}};
    std::copy(bytes, bytes + a.size(), a.bytes.begin());
    return Cidr{a, len}.str();
}

}  // namespace

namespace {

IpAddr address_of(const uint8_t* bytes, bool is_v6) {
    IpAddr a{is_v6 ? Family::V6 : Family::V4, {}};
    std::copy(bytes, bytes + a.size(), a.bytes.begin());
    return a;
}

}  // namespace

Row tunnel(uint32_t slot, const xp_tunnel& t) {
    return Row{{"Slot", slot},
               {"Remote", address_of(t.remote, t.is_v6).str()},
               {"Local", address_of(t.local, t.is_v6).str()},
               {"UnderlayIfindex", t.ifindex}};
}

Row underlay_host(const xp_underlay_key& key, uint32_t slot) {
    static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const bool is_v4 = std::equal(std::begin(v4_mapped), std::end(v4_mapped), key.addr);
    return Row{{"Address", (is_v4 ? address_of(key.addr + 12, false) : address_of(key.addr, true)).str()}, {"TunnelSlot", slot}};
}

std::string kind_name(uint32_t kind) {
    switch (kind) {
        case XP_NH_VSWITCH:
            return "vswitch";
        case XP_NH_PEERING:
            return "peering";
        case XP_NH_RESERVED:
            return "reserved";
        case XP_NH_REMOTE:
            return "remote";
        default:
            return "kind_" + std::to_string(kind);
    }
}

std::string vpc_name(const MapScope& scope, uint32_t key) {
    auto it = scope.vpc_names.find(key);
    return it != scope.vpc_names.end() ? it->second : name_in(scope.vpcs, key);
}

std::string peering_name(const MapScope& scope, uint32_t slot) {
    auto it = scope.peering_names.find(slot);
    return it != scope.peering_names.end() ? it->second : name_in(scope.peerings, slot);
}

bool in_scope(const MapScope& scope, uint32_t vpc_key, const xp_route& route) {
    if (scope.routes_via && (route.kind != XP_NH_PEERING || route.target != *scope.routes_via)) return false;
    return scope.whole || scope.vpcs.contains(vpc_key);
}

Row route(const xp_lpm_key_v4& key, const xp_route& r, const MapScope& scope) { return route_row(key.vpc, cidr_of(key), r, scope); }
Row route(const xp_lpm_key_v6& key, const xp_route& r, const MapScope& scope) { return route_row(key.vpc, cidr_of(key), r, scope); }

Row port(uint32_t ifindex, const xp_port& p, const MapScope& scope) {
    auto v4 = cidr_or_none(Family::V4, p.src_v4, p.src_v4_len), v6 = cidr_or_none(Family::V6, p.src_v6, p.src_v6_len);
    return {{"Ifindex", ifindex},
            {"VSwitchId", name_in(scope.vswitches, ifindex)},
            {"VpcId", vpc_name(scope, p.vpc)},
            {"Cidr", v4 ? Row(*v4) : Row(nullptr)},
            {"Ipv6Cidr", v6 ? Row(*v6) : Row(nullptr)},
            {"RxPackets", p.rx.packets},
            {"RxBytes", p.rx.bytes},
            {"TxPackets", p.tx.packets},
            {"TxBytes", p.tx.bytes}};
}

Row peering(uint32_t slot, const xp_peering& p, const MapScope& scope) {
    return {{"Slot", slot},
            {"PeeringId", name_in(scope.peerings, slot)},
            {"VpcId", vpc_name(scope, p.vpc_a)},
            {"PeerVpcId", vpc_name(scope, p.vpc_b)},
            {"Active", p.active != 0},
            {"Dscp", p.dscp},
            {"Owner", p.owner},
            {"RateBytes", p.rate_bytes},
            {"BurstBytes", p.burst_bytes}};
}

Row link(uint32_t slot, Direction direction, const xp_peering& p, const LinkCounters& c, uint64_t stash, const MapScope& scope) {
    const bool forward = direction == Direction::AToB;
    return {{"Slot", slot},
            {"PeeringId", name_in(scope.peerings, slot)},
            {"Direction", label(direction)},
            {"From", vpc_name(scope, forward ? p.vpc_a : p.vpc_b)},
            {"To", vpc_name(scope, forward ? p.vpc_b : p.vpc_a)},
            {"Packets", c.packets},
            {"Bytes", c.bytes},
            {"DropInactive", c.drop_inactive},
            {"DropNoRoute", c.drop_no_route},
            {"DropTransit", c.drop_transit},
            {"DropTtl", c.drop_ttl},
            {"DropPolicer", c.drop_policer},
            {"PolicerStash", stash}};
}

Row policer(uint32_t slot, Direction direction, const xp_policer& b, const MapScope& scope) {
    return {{"Slot", slot},
            {"PeeringId", name_in(scope.peerings, slot)},
            {"Direction", label(direction)},
            {"Tokens", b.tokens},
            {"LastRefillNs", b.last_ns}};
}

Row link_share(uint32_t slot, Direction direction, const xp_link_share& s, uint64_t now_ns, const MapScope& scope) {
    const bool current = static_cast<int64_t>(now_ns - s.until_ns) < 0;
    return {{"Slot", slot},
            {"PeeringId", name_in(scope.peerings, slot)},
            {"Direction", label(direction)},
            {"Owner", s.owner},
            {"RateBytes", s.rate_bytes},
            {"BurstBytes", s.burst_bytes},
            {"FallbackBytes", s.fallback_bytes},
            {"FallbackBurstBytes", s.fallback_burst_bytes},
            {"UntilNs", s.until_ns},
            {"Policing", current ? "RateBytes" : "FallbackBytes"}};
}

Row fib_root(uint32_t vpc_key, bool is_v6, uint32_t root, size_t nodes, size_t results, const MapScope& scope) {
    return {{"VpcId", vpc_name(scope, vpc_key)},
            {"VpcKey", vpc_key},
            {"Family", is_v6 ? "IPv6" : "IPv4"},
            {"Root", root},
            {"Nodes", nodes},
            {"Decisions", results}};
}

Row fib_result(uint32_t index, const xp_fib_result& r, const MapScope& scope) {
    Row row{{"Index", index}, {"Verdict", reason_name(r.reason)}};
    row["PeeringId"] = r.link == XP_NO_LINK ? Row(nullptr) : Row(peering_name(scope, r.link / XP_DIR_MAX));
    const bool forward = r.reason == XP_REASON_FORWARD_LOCAL || r.reason == XP_REASON_FORWARD_PEERING;
    row["Target"] = forward ? Row(name_in(scope.vswitches, r.route.target)) : Row(nullptr);
    row["TargetIndex"] = forward ? Row(r.route.target) : Row(nullptr);  // the egress ifindex
    // The prefix lengths of the routes that decided: the VPC's own, and the peer's after a crossing.
    auto length = [&](uint8_t len) { return r.lengths_set && len != XP_FIB_NO_LEN ? Row(len) : Row(nullptr); };
    row["RouteLength"] = length(r.own_len);
    row["PeerRouteLength"] = length(r.peer_len);
    return row;
}

Row underlay_qos(const xp_underlay_qos& q) {
    // The reserve most DSCPs share (the class of no connection type), and the ones that differ.
    std::map<uint64_t, int> count;
    for (uint64_t r : q.reserve_bytes) ++count[r];
    const uint64_t common = std::ranges::max_element(count, {}, &std::map<uint64_t, int>::value_type::second)->first;
    Row reserves = Row::object();
    for (unsigned d = 0; d < XP_DSCP_MAX; ++d)
        if (q.reserve_bytes[d] != common) reserves[std::to_string(d)] = q.reserve_bytes[d];
    reserves["Other"] = common;
    return {{"RateBytes", q.rate_bytes}, {"BurstBytes", q.burst_bytes}, {"ReserveBytesByDscp", reserves}};
}

Row underlay_policer(const xp_policer& b) { return {{"Tokens", b.tokens}, {"LastRefillNs", b.last_ns}}; }

Row control(const xp_control& c) { return {{"CompiledOff", c.compiled_off != 0}, {"Dirty", c.dirty != 0}}; }

std::vector<Row> verdicts(const std::vector<xp_verdicts>& per_cpu) {
    std::vector<Row> out;
    for (unsigned r = 0; r < XP_REASON_MAX; ++r) {
        uint64_t packets = 0, bytes = 0;
        for (const auto& cpu : per_cpu) {
            packets += cpu.reason[r].packets;
            bytes += cpu.reason[r].bytes;
        }
        out.push_back({{"Counter", reason_name(r)}, {"Packets", packets}, {"Bytes", bytes}});
    }
    for (unsigned l = 0; l < XP_LOOKUP_MAX; ++l) {
        uint64_t packets = 0;
        for (const auto& cpu : per_cpu) packets += cpu.lookup[l];
        static const char* const names[XP_LOOKUP_MAX] = {"compiled_lookup", "tries_lookup"};
        out.push_back({{"Counter", names[l]}, {"Packets", packets}, {"Bytes", nullptr}});
    }
    return out;
}

}  // namespace xpeer::map_rows
