#pragma once
#include <string>
#include <vector>

#include "model/model.h"

// The seed's rules for CIDR blocks, vSwitches and route entries, as pure functions over the
// desired state. Each throws xpeer::Error with the rule's name, or returns warnings.
namespace xpeer::rules {

void check_vpc_cidr(const Cidr& cidr);
void check_vpc_ipv6_cidr(const Cidr& cidr);

// A vSwitch lies inside its VPC and overlaps none of the VPC's other vSwitches nor any
// route entry more specific than itself (the system route must stay the most specific).
void check_vswitch(const Vpc& vpc, const std::vector<VSwitch>& siblings, const std::vector<RouteEntry>& vpc_routes, const Cidr& cidr,
                   const std::optional<Cidr>& ipv6_cidr);

// A route entry of `vpc` through `peering`; `vpc_routes` are the VPC's route entries (those to
// `destination` are enough). Returns warnings (e.g. a destination that covers the VPC's own
// CIDR: the system route wins for the overlapping part).
std::vector<std::string> check_route(const Vpc& vpc, const std::vector<VSwitch>& vswitches, const std::vector<RouteEntry>& vpc_routes,
                                     const Peering& peering, const Cidr& destination);

// The VPC's own CIDR blocks (IPv4 and IPv6) that `block` overlaps. Traffic to the overlapping
// part stays in the VPC: its vSwitches' system routes win over a route through a peering.
std::vector<Cidr> own_blocks_overlapping(const Vpc& vpc, const Cidr& block);
// Warnings for a new connection between `vpc` and `peer` whose CIDR blocks overlap (the seed
// asks to plan against it); `show_peer_blocks` names the peer's blocks (same account only).
std::vector<std::string> check_peer_cidrs(const Vpc& vpc, const Vpc& peer, bool show_peer_blocks);
// The same warning for an IPv6 block about to be added to `vpc` (vpc modify) that overlaps the
// IPv6 block of `peer`, a VPC it has a connection with: overlap is warned of, never refused.
std::vector<std::string> check_added_ipv6_cidr(const Vpc& vpc, const Cidr& block, const Vpc& peer, bool show_peer_blocks);

// An address for an instance on a vSwitch: inside it, not reserved, not taken.
void check_instance_address(const VSwitch& vsw, const Cidr& network, const IpAddr& addr, const std::vector<IpAddr>& taken);
// The first free address (after the network address and the gateway).
IpAddr next_free_address(const Cidr& network, const std::vector<IpAddr>& taken);
// The vSwitch gateway: the first address after the network address.
IpAddr gateway_of(const Cidr& network);

}  // namespace xpeer::rules
