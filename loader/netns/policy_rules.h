#pragma once
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "model/cidr.h"

// The policy-routing rules of a VPC namespace: one `from <vSwitch CIDR> lookup <table>` per
// vSwitch block, so that each vSwitch's traffic leaves through its own veth.
namespace xpeer::links {

class Rtnl;

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
std::vector<PolicyRule> list_rules(const std::string& netns, uint32_t min_priority, uint32_t max_priority);
// Deletes exactly that rule (family from rule.from), duplicates included; a missing one is fine.
// table 0 is Error("InvalidParameter.RouteTable"). The kernel deletes the first rule that matches
// a request, and a /0 source matches any source: if another source's rule of that table and
// priority comes first, this is Error("IncorrectRuleState.Ambiguous") and nothing is deleted.
void delete_rule(const std::string& netns, const PolicyRule& rule);
// The source rule of a vSwitch: `from cidr lookup table`, at priority 1000 + table.
PolicyRule vswitch_rule(const Cidr& from, uint32_t table);
// Through an open socket: add the rule (an identical one already there is fine), remove it as
// delete_rule does.
void add_rule(Rtnl& nl, const PolicyRule& rule);
void remove_rule(Rtnl& nl, const PolicyRule& rule);

}  // namespace xpeer::links
