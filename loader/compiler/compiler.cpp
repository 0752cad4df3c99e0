#include "compiler/compiler.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "compiler/lpm_key.h"
#include "model/errors.h"
#include "model/placement.h"

namespace xpeer {
namespace {

xp_route vswitch_route(const PortInfo& port) {
    xp_route r{};
    r.kind = XP_NH_VSWITCH;
    r.target = port.ifindex;
    std::memcpy(r.smac, port.datapath_mac.data(), sizeof(r.smac));
    std::memcpy(r.dmac, port.vpc_mac.data(), sizeof(r.dmac));
    return r;
}

xp_route reserved_route() {
    xp_route r{};
    r.kind = XP_NH_RESERVED;
    return r;
}

xp_route remote_route(uint32_t tunnel) {
    xp_route r{};
    r.kind = XP_NH_REMOTE;
    r.target = tunnel;
    return r;
}

xp_underlay_key underlay_key(const IpAddr& a) {
    xp_underlay_key k{};
    if (a.family == Family::V4) {
        k.addr[10] = k.addr[11] = 0xff;
        std::memcpy(&k.addr[12], a.bytes.data(), 4);
    } else {
        std::memcpy(k.addr, a.bytes.data(), 16);
    }
    return k;
}

// The other hosts this one reaches over its underlay, slot by slot in the order they registered
// (from 1; by name within a second), and the vSwitches' hosts' slots. A host that registers
// after the others takes the next slot: they keep theirs, and so do the routes to their
// vSwitches (unless its clock is behind theirs). None until this host's agent has bound the
// replica and attached its underlay; a host of the other address family is not reachable.
std::unordered_map<std::string, uint32_t> add_tunnels(Tables& t, const Snapshot& s) {
    std::unordered_map<std::string, uint32_t> slot_of;
    auto me = std::ranges::find(s.hosts, s.local.name, &Host::name);
    if (s.local.name.empty() || !s.local.underlay_ifindex || me == s.hosts.end()) return slot_of;
    std::vector<const Host*> registered;
    for (const auto& h : s.hosts) registered.push_back(&h);
    std::ranges::sort(registered, {}, [](const Host* h) { return std::tie(h->created_at, h->name); });
    uint32_t slot = 0;
    for (const Host* host : registered) {
        const Host& h = *host;
        if (h.name == me->name) continue;
        if (++slot >= XP_MAX_TUNNELS) break;
        if (h.underlay.family != me->underlay.family) continue;
        xp_tunnel tun{};
        std::memcpy(tun.remote, h.underlay.bytes.data(), h.underlay.size());
        std::memcpy(tun.local, me->underlay.bytes.data(), me->underlay.size());
        tun.ifindex = s.local.underlay_ifindex;
        tun.is_v6 = h.underlay.family == Family::V6;
        t.tunnels[slot] = tun;
        t.underlay_hosts[underlay_key(h.underlay)] = slot;
        slot_of[h.name] = slot;
    }
    return slot_of;
}

xp_route peering_route(const Peering& p) {
    xp_route r{};
    r.kind = XP_NH_PEERING;
    r.target = p.slot;
    return r;
}

void add_route(Tables& t, uint32_t vpc, const Cidr& dst, const xp_route& r) {
    if (dst.family() == Family::V4)
        t.routes_v4.emplace(lpm_key_v4(vpc, dst), r);
    else
        t.routes_v6.emplace(lpm_key_v6(vpc, dst), r);
}

// A vSwitch's system route, and host routes that make its reserved addresses unreachable: the
// longest match wins over the subnet's route, in the VPC's table and after a peering crossing.
void add_subnet(Tables& t, uint32_t vpc, const Cidr& subnet, const xp_route& r) {
    add_route(t, vpc, subnet, r);
    for (const auto& a : reserved_addresses(subnet)) add_route(t, vpc, host_route(a), reserved_route());
}

// The sources a vSwitch's port accepts: its own CIDRs (xp_port.src_*).
void allow_sources(xp_port& p, const Cidr& subnet) {
    if (subnet.family() == Family::V4) {
        std::memcpy(p.src_v4, subnet.addr.bytes.data(), sizeof(p.src_v4));
        p.src_v4_len = subnet.prefix_len;
    } else {
        std::memcpy(p.src_v6, subnet.addr.bytes.data(), sizeof(p.src_v6));
        p.src_v6_len = subnet.prefix_len;
    }
}

}  // namespace

uint8_t dscp_of(const std::string& link_type) {
    // RFC 4594's classes for what the seed sells each type for: Platinum (trading, voice, video,
    // games) as expedited forwarding, Gold (data synchronisation, file transfer) as
    // high-throughput data; within a region, the default.
    if (link_type == "Platinum") return 46;  // EF
    if (link_type == "Gold") return 10;      // AF11
    return 0;
}

xp_underlay_qos underlay_qos_of(int64_t bandwidth_mbps) {
    xp_underlay_qos q{};
    q.rate_bytes = static_cast<uint64_t>(bandwidth_mbps) * 1'000'000 / 8;
    // Three bands, 5 ms of the rate in all: Platinum's alone, then Gold's, then everyone's.
    // Shallow, unlike a connection's bucket: what Gold may send at once beyond the rate (the
    // upper two) waits in the underlay's queues before Platinum's next frame. At low rates,
    // everyone's band holds a GSO super-packet of the TC twin (64 KiB, and its segments' outer
    // and repeated headers), and the others a few dozen frames.
    const uint64_t third = q.rate_bytes / 600;
    const uint64_t platinum = std::max<uint64_t>(third, 24 * 1024), gold = platinum, rest = std::max<uint64_t>(third, 72 * 1024);
    q.burst_bytes = platinum + gold + rest;
    for (auto& r : q.reserve_bytes) r = platinum + gold;
    q.reserve_bytes[dscp_of("Gold")] = platinum;
    q.reserve_bytes[dscp_of("Platinum")] = 0;
    return q;
}

uint32_t peering_owner(const std::string& pcc_id) {
    uint32_t h = 2166136261u;
    for (unsigned char c : pcc_id) h = (h ^ c) * 16777619u;
    return h ? h : 1;
}

uint64_t policer_burst(uint64_t rate_bytes) {
    // 250 ms of traffic. XDP cannot queue, so TCP meets a policer, not a shaper, and with the
    // microsecond round trips between namespaces its retransmissions are dropped as often as
    // not, leaving the sender idle until its retransmission timer (200 ms at least) fires. A
    // bucket deeper than that timer keeps what the idle sender did not use; the long-run
    // average is still the rate.
    return std::max<uint64_t>(rate_bytes / 4, 64 * 1024);
}

xp_peering policer_of(int64_t bandwidth_mbps) {
    xp_peering p{};
    if (bandwidth_mbps <= 0) return p;  // -1: unlimited
    p.rate_bytes = static_cast<uint64_t>(bandwidth_mbps) * 1'000'000 / 8;
    p.burst_bytes = policer_burst(p.rate_bytes);
    return p;
}

Tables compile(const Snapshot& s, const PortMap& ports) {
    Tables t;
    std::unordered_map<std::string, uint32_t> vpc_key;
    for (const auto& v : s.vpcs) vpc_key[v.id] = v.key;

    const auto tunnel_of = add_tunnels(t, s);
    if (s.local.underlay_ifindex && s.local.underlay_bandwidth_mbps > 0)
        t.underlay_qos[0] = underlay_qos_of(s.local.underlay_bandwidth_mbps);
    std::unordered_map<uint32_t, std::string> port_owner;  // ifindex -> vSwitch
    for (const auto& vsw : s.vswitches) {
        auto port = ports.find(vsw.id);
        auto vpc = vpc_key.find(vsw.vpc_id);
        if (vpc == vpc_key.end()) continue;
        if (!is_here(vsw, s.local)) {
            // On another host, whatever port row an older build left here: reached through that
            // host's tunnel, the VNI naming the VPC.
            auto tunnel = vsw.host ? tunnel_of.find(*vsw.host) : tunnel_of.end();
            if (tunnel == tunnel_of.end() || vpc->second > XP_MAX_VNI) continue;
            add_subnet(t, vpc->second, vsw.cidr, remote_route(tunnel->second));
            if (vsw.ipv6_cidr) add_subnet(t, vpc->second, *vsw.ipv6_cidr, remote_route(tunnel->second));
            continue;
        }
        if (port == ports.end()) continue;
        const uint32_t ifindex = port->second.ifindex;
        if (ifindex >= XP_MAX_PORTS)  // xp_ports is an array indexed by it
            throw errors::datapath_port_index("vSwitch " + vsw.id + ": datapath-side ifindex " + std::to_string(ifindex) +
                                              " is not below " + std::to_string(XP_MAX_PORTS) +
                                              "; `xpeer reconcile` makes its link again below it");
        if (auto [at, fresh] = port_owner.emplace(ifindex, vsw.id); !fresh)
            throw errors::datapath_port_index("vSwitches " + at->second + " and " + vsw.id + " both record datapath-side ifindex " +
                                              std::to_string(ifindex) +
                                              " (a link removed outside xpeer?); `xpeer reconcile` makes the missing link again");
        xp_port p{};
        p.vpc = vpc->second;
        allow_sources(p, vsw.cidr);
        if (vsw.ipv6_cidr) allow_sources(p, *vsw.ipv6_cidr);
        t.ports[ifindex] = p;
        add_subnet(t, vpc->second, vsw.cidr, vswitch_route(port->second));
        if (vsw.ipv6_cidr) add_subnet(t, vpc->second, *vsw.ipv6_cidr, vswitch_route(port->second));
    }

    std::unordered_map<std::string, const Peering*> peering_by_id;
    for (const auto& p : s.peerings) {
        auto a = vpc_key.find(p.vpc_id), b = vpc_key.find(p.peer_vpc_id);
        if (a == vpc_key.end() || b == vpc_key.end()) continue;
        peering_by_id[p.id] = &p;
        xp_peering entry = policer_of(p.bandwidth_mbps);
        entry.vpc_a = a->second;
        entry.vpc_b = b->second;
        // Updating: accepted or modified, being programmed on the hosts that carry it; it forwards.
        entry.active = p.status == PeeringStatus::Activated || p.status == PeeringStatus::Updating ? 1u : 0u;
        entry.dscp = dscp_of(p.link_type);
        entry.owner = peering_owner(p.id);
        t.peerings[p.slot] = entry;
    }

    // System routes were added first; emplace keeps them where a route entry has the same key.
    for (const auto& rte : s.routes) {
        auto vpc = vpc_key.find(rte.vpc_id);
        auto p = peering_by_id.find(rte.next_hop);
        if (vpc == vpc_key.end() || p == peering_by_id.end()) continue;
        add_route(t, vpc->second, rte.destination, peering_route(*p->second));
    }
    return t;
}

}  // namespace xpeer
