#include "router_model.h"

#include <algorithm>

namespace xpeer::fuzz {
namespace {

struct Packet {
    IpAddr src, dst;
    unsigned ttl = 0;
};

unsigned be16(const std::vector<uint8_t>& f, size_t at) { return unsigned{f[at]} << 8 | f[at + 1]; }

IpAddr address(Family family, const std::vector<uint8_t>& f, size_t at) {
    IpAddr a;
    a.family = family;
    std::copy_n(f.begin() + static_cast<long>(at), a.size(), a.bytes.begin());
    return a;
}

constexpr size_t eth_len = 14;

// Version 4, a header of 20 bytes or more within the frame, a total length within the frame and
// not shorter than the header, a checksum that folds to all ones.
std::optional<Packet> ipv4(const std::vector<uint8_t>& f) {
    if (f.size() < eth_len + 20 || f[eth_len] >> 4 != 4) return std::nullopt;
    const size_t header = (f[eth_len] & 0xf) * 4u, total = be16(f, eth_len + 2);
    if (header < 20 || eth_len + header > f.size() || total < header || eth_len + total > f.size()) return std::nullopt;
    uint32_t sum = 0;
    for (size_t i = 0; i < header; i += 2) sum += be16(f, eth_len + i);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    if (sum != 0xffff) return std::nullopt;
    return Packet{address(Family::V4, f, eth_len + 12), address(Family::V4, f, eth_len + 16), f[eth_len + 8]};
}

// Version 6, a payload within the frame.
std::optional<Packet> ipv6(const std::vector<uint8_t>& f) {
    if (f.size() < eth_len + 40 || f[eth_len] >> 4 != 6) return std::nullopt;
    if (eth_len + 40 + be16(f, eth_len + 4) > f.size()) return std::nullopt;
    return Packet{address(Family::V6, f, eth_len + 8), address(Family::V6, f, eth_len + 24), f[eth_len + 7]};
}

std::optional<Cidr> cidr_of(const VSwitch& s, Family family) {
    if (family == Family::V4) return s.cidr;
    return s.ipv6_cidr;
}

bool reserved_in(const Cidr& subnet, const IpAddr& a) {
    const auto reserved = reserved_addresses(subnet);
    return std::find(reserved.begin(), reserved.end(), a) != reserved.end();
}

// The longest prefix of vpc's table holding dst: a vSwitch of its own (a system route) or a route
// entry. Returns the vSwitch, or the route entry, or neither.
struct Match {
    const VSwitch* vswitch = nullptr;
    const RouteEntry* route = nullptr;
};

Match longest_match(const Snapshot& t, const std::string& vpc, const IpAddr& dst) {
    Match best;
    int best_len = -1;
    for (const auto& s : t.vswitches) {
        auto c = cidr_of(s, dst.family);
        if (s.vpc_id == vpc && c && c->contains(dst) && c->prefix_len > best_len) {
            best = Match{&s, nullptr};
            best_len = c->prefix_len;
        }
    }
    for (const auto& r : t.routes) {
        if (r.vpc_id == vpc && r.destination.contains(dst) && r.destination.prefix_len > best_len) {
            best = Match{nullptr, &r};
            best_len = r.destination.prefix_len;
        }
    }
    return best;
}

// The vSwitch of vpc's own that dst reaches, if it is a host address of it.
std::optional<std::string> delivered_in(const Snapshot& t, const std::string& vpc, const IpAddr& dst) {
    Match m = longest_match(t, vpc, dst);
    if (!m.vswitch || reserved_in(*cidr_of(*m.vswitch, dst.family), dst)) return std::nullopt;
    return m.vswitch->id;
}

}  // namespace

std::optional<std::string> forward_target(const Snapshot& t, const std::string& ingress, const std::vector<uint8_t>& frame) {
    if (frame.size() < eth_len) return std::nullopt;
    const unsigned type = be16(frame, 12);
    std::optional<Packet> p = type == 0x0800 ? ipv4(frame) : type == 0x86dd ? ipv6(frame) : std::nullopt;
    if (!p || p->ttl <= 1) return std::nullopt;

    auto in = std::find_if(t.vswitches.begin(), t.vswitches.end(), [&](const VSwitch& s) { return s.id == ingress; });
    if (in == t.vswitches.end()) return std::nullopt;
    auto source_net = cidr_of(*in, p->src.family);
    if (!source_net || !source_net->contains(p->src) || reserved_in(*source_net, p->src)) return std::nullopt;

    Match m = longest_match(t, in->vpc_id, p->dst);
    if (m.vswitch) return delivered_in(t, in->vpc_id, p->dst);
    if (!m.route) return std::nullopt;
    auto peering = std::find_if(t.peerings.begin(), t.peerings.end(), [&](const Peering& x) { return x.id == m.route->next_hop; });
    if (peering == t.peerings.end() || peering->status != PeeringStatus::Activated) return std::nullopt;
    const std::string& vpc = in->vpc_id;
    if (peering->vpc_id != vpc && peering->peer_vpc_id != vpc) return std::nullopt;
    // One crossing only: in the peer, the destination must be one of the peer's own vSwitches.
    return delivered_in(t, peering->vpc_id == vpc ? peering->peer_vpc_id : peering->vpc_id, p->dst);
}

}  // namespace xpeer::fuzz
