#include "controller/rules.h"

#include <algorithm>

#include "model/errors.h"

namespace xpeer::rules {
namespace {

void require_family(const Cidr& c, Family f, const std::string& what) {
    if (c.family() != f)
        throw errors::invalid_cidr_block_family(what + " " + c.str() + " must be an IPv" + std::to_string(static_cast<int>(f)) + " block");
}

bool is_reserved(const Cidr& network, const IpAddr& a) {
    auto reserved = reserved_addresses(network);
    return std::find(reserved.begin(), reserved.end(), a) != reserved.end();
}

std::string peer_overlap_warning(const Vpc& vpc, const Cidr& own, const Vpc& peer, const Cidr& theirs, bool show_peer_blocks) {
    return vpc.id + "'s CIDR block " + own.str() + " overlaps peer VPC " + peer.id + "'s " +
           (show_peer_blocks ? theirs.str() : std::string(own.family() == Family::V4 ? "IPv4" : "IPv6") + " block") +
           ": each VPC's system routes win for the overlapping part, so only the peer's vSwitch blocks outside it "
           "can be routed to; plan CIDR blocks that do not overlap";
}

}  // namespace

void check_vpc_cidr(const Cidr& cidr) {
    require_family(cidr, Family::V4, "VPC CIDR block");
    if (cidr.prefix_len < 8 || cidr.prefix_len > 28)
        throw errors::invalid_cidr_block_size("VPC CIDR block " + cidr.str() + " must be between /8 and /28");
}

void check_vpc_ipv6_cidr(const Cidr& cidr) {
    require_family(cidr, Family::V6, "VPC IPv6 CIDR block");
    if (cidr.prefix_len < 8 || cidr.prefix_len > 64)
        throw errors::invalid_ipv6_cidr_block_size("VPC IPv6 CIDR block " + cidr.str() + " must be between /8 and /64");
}

void check_vswitch(const Vpc& vpc, const std::vector<VSwitch>& siblings, const std::vector<RouteEntry>& vpc_routes, const Cidr& cidr,
                   const std::optional<Cidr>& ipv6_cidr) {
    require_family(cidr, Family::V4, "vSwitch CIDR block");
    if (!vpc.cidr.contains(cidr))
        throw errors::invalid_cidr_block_not_in_vpc("vSwitch CIDR block " + cidr.str() + " is not inside " + vpc.id + "'s " +
                                                    vpc.cidr.str());
    if (cidr.prefix_len > 29)
        throw errors::invalid_cidr_block_size("vSwitch CIDR block " + cidr.str() + " must be /29 or larger (gateway and instances)");
    if (ipv6_cidr) {
        require_family(*ipv6_cidr, Family::V6, "vSwitch IPv6 CIDR block");
        if (!vpc.ipv6_cidr)
            throw errors::invalid_ipv6_cidr_block_vpc_has_no_ipv6(vpc.id + " has no IPv6 CIDR block; add one with `xpeer vpc modify " +
                                                                  vpc.id + " --ipv6-cidr`");
        if (!vpc.ipv6_cidr->contains(*ipv6_cidr))
            throw errors::invalid_ipv6_cidr_block_not_in_vpc("vSwitch IPv6 CIDR block " + ipv6_cidr->str() + " is not inside " + vpc.id +
                                                             "'s " + vpc.ipv6_cidr->str());
        if (ipv6_cidr->prefix_len < 64 || ipv6_cidr->prefix_len > 120)
            throw errors::invalid_ipv6_cidr_block_size("vSwitch IPv6 CIDR block " + ipv6_cidr->str() + " must be between /64 and /120");
    }
    for (const auto& s : siblings) {
        if (s.cidr.overlaps(cidr))
            throw errors::invalid_cidr_block_overlapped("vSwitch CIDR block " + cidr.str() + " overlaps " + s.id + " (" + s.cidr.str() +
                                                        ")");
        if (ipv6_cidr && s.ipv6_cidr && s.ipv6_cidr->overlaps(*ipv6_cidr))
            throw errors::invalid_ipv6_cidr_block_overlapped("vSwitch IPv6 CIDR block " + ipv6_cidr->str() + " overlaps " + s.id + " (" +
                                                             s.ipv6_cidr->str() + ")");
    }
    for (const auto& r : vpc_routes) {
        for (const auto* c : {&cidr, ipv6_cidr ? &*ipv6_cidr : nullptr}) {
            if (c && c->contains(r.destination))
                throw errors::invalid_cidr_block_route_conflict("vSwitch CIDR block " + c->str() + " contains route entry " + r.id + " (" +
                                                                r.destination.str() +
                                                                "); a route may not be more specific than a system route");
        }
    }
}

std::vector<std::string> check_route(const Vpc& vpc, const std::vector<VSwitch>& vswitches, const std::vector<RouteEntry>& vpc_routes,
                                     const Peering& peering, const Cidr& destination) {
    if (peering.vpc_id != vpc.id && peering.peer_vpc_id != vpc.id)
        throw errors::invalid_next_hop_not_of_vpc("next hop " + peering.id + " is a peering connection of " + peering.vpc_id + " and " +
                                                  peering.peer_vpc_id + ", not of " + vpc.id);
    if (peering.status != PeeringStatus::Activated)
        throw errors::incorrect_status_vpc_peer("next hop " + peering.id + " is " + to_string(peering.status) + "; it must be Activated");
    for (const auto& s : vswitches) {
        for (const auto* c : {&s.cidr, s.ipv6_cidr ? &*s.ipv6_cidr : nullptr}) {
            if (c && c->contains(destination))
                throw errors::invalid_destination_cidr_block_more_specific_than_system_route(
                    "destination " + destination.str() + " is equal to or inside system route " + c->str() + " of " + s.id +
                    "; it is not possible to configure more specific routes than the system route");
        }
    }
    for (const auto& r : vpc_routes) {
        if (r.destination == destination)
            throw errors::invalid_destination_cidr_block_duplicate("destination " + destination.str() + " already has route entry " + r.id +
                                                                   " in " + vpc.id);
    }
    std::vector<std::string> warnings;
    for (const auto& own : own_blocks_overlapping(vpc, destination))
        warnings.push_back("destination " + destination.str() + " overlaps " + vpc.id + "'s own CIDR block " + own.str() +
                           ": the system routes of its vSwitches win for the overlapping part");
    return warnings;
}

std::vector<Cidr> own_blocks_overlapping(const Vpc& vpc, const Cidr& block) {
    std::vector<Cidr> out;
    for (const auto* own : {&vpc.cidr, vpc.ipv6_cidr ? &*vpc.ipv6_cidr : nullptr})
        if (own && own->overlaps(block)) out.push_back(*own);
    return out;
}

std::vector<std::string> check_peer_cidrs(const Vpc& vpc, const Vpc& peer, bool show_peer_blocks) {
    std::vector<std::string> warnings;
    for (const auto* theirs : {&peer.cidr, peer.ipv6_cidr ? &*peer.ipv6_cidr : nullptr}) {
        if (!theirs) continue;
        for (const auto& own : own_blocks_overlapping(vpc, *theirs))
            warnings.push_back(peer_overlap_warning(vpc, own, peer, *theirs, show_peer_blocks));
    }
    return warnings;
}

std::vector<std::string> check_added_ipv6_cidr(const Vpc& vpc, const Cidr& block, const Vpc& peer, bool show_peer_blocks) {
    if (!peer.ipv6_cidr || !peer.ipv6_cidr->overlaps(block)) return {};
    return {peer_overlap_warning(vpc, block, peer, *peer.ipv6_cidr, show_peer_blocks)};
}

IpAddr gateway_of(const Cidr& network) { return network.nth(1); }

void check_instance_address(const VSwitch& vsw, const Cidr& network, const IpAddr& addr, const std::vector<IpAddr>& taken) {
    if (!network.contains(addr))
        throw errors::invalid_ip_address_not_in_vswitch(addr.str() + " is not inside " + vsw.id + "'s " + network.str());
    if (is_reserved(network, addr))
        throw errors::invalid_ip_address_reserved(addr.str() + " is reserved in " + network.str() +
                                                  " (network, gateway or broadcast address)");
    if (std::find(taken.begin(), taken.end(), addr) != taken.end())
        throw errors::invalid_ip_address_in_use(addr.str() + " is already used by an instance on " + vsw.id);
}

IpAddr next_free_address(const Cidr& network, const std::vector<IpAddr>& taken) {
    uint64_t last = network.size() - (network.family() == Family::V4 ? 1 : 0);
    for (uint64_t n = 2; n < last && n < 2 + 65536; ++n) {
        IpAddr a = network.nth(n);
        if (std::find(taken.begin(), taken.end(), a) == taken.end()) return a;
    }
    throw errors::invalid_vswitch_no_free_address("no free address left in " + network.str());
}

}  // namespace xpeer::rules
