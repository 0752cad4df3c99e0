#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/cidr.h"
#include "model/mac.h"

// The kernel side of a vSwitch: a veth pair between the datapath namespace (the XDP router) and
// a VPC namespace (the vSwitch's addresses, its gateway, policy routing), set up with libnl over
// netlink sockets opened inside each namespace. Namespace "" is the caller's own.
namespace xpeer::links {

using xpeer::Mac;

struct VethEnd {
    std::string name;
    uint32_t ifindex = 0;
    Mac mac{};
};

struct VswitchVeth {
    VethEnd datapath;
    VethEnd vpc;
};

struct VswitchVethSpec {
    std::string datapath_netns;  // "" = caller's namespace
    std::string vpc_netns;
    std::string datapath_ifname;  // <= 15 chars
    std::string vpc_ifname;       // <= 15 chars
    uint32_t table = 0;           // policy-routing table in the VPC namespace for this vSwitch
    uint32_t metric = 0;          // metric of this vSwitch's default route in the main table
    Cidr cidr;
    std::optional<Cidr> ipv6_cidr;
    IpAddr gateway;
    std::optional<IpAddr> gateway6;
    uint32_t ifindex_below = 0;  // the datapath side's ifindex is kept below this (0: any)
    // The VPC side's tx checksum offload. Off for the XDP router, which forwards a frame with a
    // partial checksum as it is, so that it is never completed; the TC twin keeps socket buffers.
    bool tx_checksum = false;
};

// Creates (or completes) the vSwitch veth, idempotently:
//  - veth pair made in the datapath namespace, peer moved to the VPC namespace, both up;
//    datapath side: IPv6 disabled, so it sends nothing of its own;
//  - VPC side: tx checksum offload as tx_checksum says, accept_dad=0, accept_ra=0, permanent neighbour entries
//    gateway(6) -> datapath-side MAC;
//  - VPC namespace: table `table` holds `default via gateway dev vpc_if onlink` (v4, v6),
//    rules `from cidr lookup table` at priority 1000 + table, and the main table a default route
//    of metric `metric` through this vSwitch for traffic without a source address.
// The datapath side gets the lowest free ifindex of its namespace when ifindex_below is set; an
// existing link at or above it is made again. A veth made by this call is removed again if a
// later step fails.
VswitchVeth create_vswitch_veth(const VswitchVethSpec&);
// Both ends present (and peers of each other), else nullopt.
std::optional<VswitchVeth> find_vswitch_veth(const VswitchVethSpec&);
// Removes the rules and the veth (its routes and neighbours go with it). Idempotent.
void delete_vswitch_veth(const VswitchVethSpec&);

// Instance addresses, with the vSwitch's prefix length; v6 gets IFA_F_NODAD (usable at once).
void add_address(const std::string& netns, const std::string& ifname, const IpAddr&, uint8_t prefix_len);     // idempotent
void remove_address(const std::string& netns, const std::string& ifname, const IpAddr&, uint8_t prefix_len);  // idempotent

uint32_t ifindex(const std::string& netns, const std::string& ifname);  // throws if missing
uint32_t mtu(const std::string& netns, const std::string& ifname);      // throws if missing
// A neighbour entry the kernel resolves and keeps resolved (NTF_EXT_MANAGED), for a program that
// finds MACs with bpf_fib_lookup and cannot ask for a resolution itself. Idempotent.
void keep_neighbour(const std::string& netns, uint32_t ifindex, const IpAddr& ip);
// The interface's global addresses (scope universe), IPv4 first; throws if it is missing.
std::vector<IpAddr> global_addresses(const std::string& netns, const std::string& ifname);

// For a reconciler: what a command killed between making a vSwitch veth and committing its
// transaction leaves behind. A missing namespace holds nothing: lists are empty, deletes do nothing.

// Interface names in the namespace that start with prefix, sorted.
std::vector<std::string> list_links(const std::string& netns, const std::string& prefix);
// Deletes the interface (a veth takes its peer with it); a missing one is fine.
void delete_link(const std::string& netns, const std::string& ifname);

// What the kernel dropped on the interfaces of netns whose names start with prefix, summed: a veth
// counts as tx what it could not queue towards its peer (its peer's queue or XDP ring full), as rx
// what it could not take in. Nothing for a missing namespace.
struct InterfaceDrops {
    uint64_t tx = 0, rx = 0;
};
InterfaceDrops interface_drops(const std::string& netns, const std::string& prefix);

}  // namespace xpeer::links
