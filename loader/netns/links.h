#pragma once
#include <array>
#include <compare>
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

struct VswitchLink {
    VethEnd datapath;
    VethEnd vpc;
};

struct VswitchLinkSpec {
    std::string datapath_netns;   // "" = caller's namespace
    std::string vpc_netns;
    std::string datapath_ifname;  // <= 15 chars
    std::string vpc_ifname;       // <= 15 chars
    uint32_t table = 0;           // policy-routing table in the VPC namespace for this vSwitch
    uint32_t metric = 0;          // metric of this vSwitch's default route in the main table
    Cidr cidr;
    std::optional<Cidr> ipv6_cidr;
    IpAddr gateway;
    std::optional<IpAddr> gateway6;
    uint32_t ifindex_below = 0;   // the datapath side's ifindex is kept below this (0: any)
};

// Creates (or completes) the vSwitch link, idempotently:
//  - veth pair made in the datapath namespace, peer moved to the VPC namespace, both up;
//    datapath side: IPv6 disabled, so it sends nothing of its own;
//  - VPC side: tx checksum offload off, accept_dad=0, accept_ra=0, permanent neighbour entries
//    gateway(6) -> datapath-side MAC;
//  - VPC namespace: table `table` holds `default via gateway dev vpc_if onlink` (v4, v6),
//    rules `from cidr lookup table` at priority 1000 + table, and the main table a default route
//    of metric `metric` through this vSwitch for traffic without a source address.
// The datapath side gets the lowest free ifindex of its namespace when ifindex_below is set; an
// existing link at or above it is made again. A veth made by this call is removed again if a
// later step fails.
VswitchLink create_vswitch_link(const VswitchLinkSpec&);
// Both ends present (and peers of each other), else nullopt.
std::optional<VswitchLink> find_vswitch_link(const VswitchLinkSpec&);
// Removes the rules and the veth (its routes and neighbours go with it). Idempotent.
void delete_vswitch_link(const VswitchLinkSpec&);

// Instance addresses, with the vSwitch's prefix length; v6 gets IFA_F_NODAD (usable at once).
void add_address(const std::string& netns, const std::string& ifname, const IpAddr&, uint8_t prefix_len);  // idempotent
void remove_address(const std::string& netns, const std::string& ifname, const IpAddr&, uint8_t prefix_len);  // idempotent

// bpf_xdp_attach inside the namespace; replaces any program, in either mode. The vSwitch links
// are attached through pinned BPF links instead (netns/pinned_xdp.h): this is for tests and bench.
void attach_xdp(const std::string& netns, const std::string& ifname, int prog_fd, bool generic);
void detach_xdp(const std::string& netns, const std::string& ifname);  // a missing interface is fine

uint32_t ifindex(const std::string& netns, const std::string& ifname);  // throws if missing
// The id of the XDP program attached to the interface in either mode; 0 if none, or if the
// interface or its namespace is missing.
uint32_t xdp_program_id(const std::string& netns, const std::string& ifname);

// For a reconciler: what a command killed between making a vSwitch link and committing its
// transaction leaves behind. A missing namespace holds nothing: lists are empty, deletes do nothing.

// Interface names in the namespace that start with prefix, sorted.
std::vector<std::string> list_links(const std::string& netns, const std::string& prefix);
// Deletes the interface (a veth takes its peer with it); a missing one is fine.
void delete_link(const std::string& netns, const std::string& ifname);

// A policy-routing rule `from <from> lookup <table> priority <priority>`. Rules are told apart by
// these three (and the family of `from`); other selectors (iif, fwmark, ...), which xpeer never
// sets, are not looked at.
struct PolicyRule {
    Cidr from;  // the rule's source network; /0 for `from all`
    uint32_t table = 0;
    uint32_t priority = 0;
    auto operator<=>(const PolicyRule&) const = default;
};
// The `lookup <table>` rules (IPv4 and IPv6) whose priority lies in [min_priority, max_priority],
// sorted by priority (v4 before v6, then in the kernel's order). Rules of other actions (goto,
// unreachable, ...) are left out.
// The source rule of a vSwitch: `from cidr lookup table`, at priority 1000 + table.
PolicyRule vswitch_rule(const Cidr& from, uint32_t table);
std::vector<PolicyRule> list_rules(const std::string& netns, uint32_t min_priority, uint32_t max_priority);
// Deletes exactly that rule (family from rule.from), duplicates included; a missing one is fine.
// table 0 is Error("InvalidParameter.RouteTable"). The kernel deletes the first rule that matches
// a request, and a /0 source matches any source: if another source's rule of that table and
// priority comes first, this is Error("IncorrectRuleState.Ambiguous") and nothing is deleted.
void delete_rule(const std::string& netns, const PolicyRule& rule);

}  // namespace xpeer::links
