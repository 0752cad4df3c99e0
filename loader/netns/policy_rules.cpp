#include "netns/policy_rules.h"

#include <linux/fib_rules.h>
#include <netlink/route/rule.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "model/errors.h"
#include "netns/netns.h"
#include "netns/rtnl.h"

namespace xpeer::links {
namespace {

using RulePtr = Ptr<rtnl_rule, rtnl_rule_put>;
RulePtr rule_object(const PolicyRule& rule) {
    RulePtr r(rtnl_rule_alloc());
    if (!r) throw SystemError("rtnl_rule_alloc", ENOMEM);
    rtnl_rule_set_family(r.get(), af(rule.from.addr));
    rtnl_rule_set_prio(r.get(), rule.priority);
    rtnl_rule_set_src(r.get(), nl_ip(rule.from.addr, rule.from.prefix_len).get());
    rtnl_rule_set_table(r.get(), rule.table);
    rtnl_rule_set_action(r.get(), FR_ACT_TO_TBL);
    return r;
}

std::string rule_str(const PolicyRule& rule) {
    return "rule from " + rule.from.str() + " lookup " + std::to_string(rule.table) + " priority " + std::to_string(rule.priority);
}

// The rule's source; /0 of the rule's family for `from all`.
Cidr rule_source(rtnl_rule* r) {
    Cidr c;
    c.addr.family = rtnl_rule_get_family(r) == AF_INET ? Family::V4 : Family::V6;
    if (nl_addr* a = rtnl_rule_get_src(r)) {
        std::memcpy(c.addr.bytes.data(), nl_addr_get_binary_addr(a), std::min<size_t>(nl_addr_get_len(a), c.addr.size()));
        c.prefix_len = static_cast<uint8_t>(std::min<unsigned>(nl_addr_get_prefixlen(a), c.addr.bits()));
    }
    return c;
}

// The IPv4 and IPv6 `lookup <table>` rules with priority in [min, max]: by priority, v4 before v6,
// and otherwise in the kernel's order (which is the order the kernel tries them in).
std::vector<PolicyRule> dump_rules(Rtnl& nl, uint32_t min_priority, uint32_t max_priority) {
    nl_cache* raw = nullptr;
    nl.check(rtnl_rule_alloc_cache(nl.get(), AF_UNSPEC, &raw), "RTM_GETRULE dump");
    const CachePtr cache(raw);
    std::vector<PolicyRule> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* r = reinterpret_cast<rtnl_rule*>(o);
        const int family = rtnl_rule_get_family(r);
        const uint32_t prio = rtnl_rule_get_prio(r), table = rtnl_rule_get_table(r);
        if ((family != AF_INET && family != AF_INET6) || rtnl_rule_get_action(r) != FR_ACT_TO_TBL || table == 0 || prio < min_priority ||
            prio > max_priority)
            continue;
        out.push_back({rule_source(r), table, prio});
    }
    std::stable_sort(out.begin(), out.end(), [](const PolicyRule& a, const PolicyRule& b) {
        return std::pair(a.priority, a.from.family()) < std::pair(b.priority, b.from.family());
    });
    return out;
}

}  // namespace

void remove_rule(Rtnl& nl, const PolicyRule& rule) {
    const RulePtr r = rule_object(rule);
    for (int i = 0; i < 64; ++i) {  // duplicates added by hand go too
        if (rule.from.prefix_len == 0) {
            // The kernel takes a /0 source for "any source": it must reach this rule first.
            std::optional<Cidr> first;
            bool present = false;
            for (const auto& other : dump_rules(nl, rule.priority, rule.priority)) {
                if (other.table != rule.table || other.from.family() != rule.from.family()) continue;
                if (!first) first = other.from;
                present = present || other.from == rule.from;
            }
            if (!present) return;
            if (*first != rule.from)
                throw errors::incorrect_rule_state_ambiguous("cannot delete " + rule_str(rule) + ": the kernel would delete " +
                                                             rule_str({*first, rule.table, rule.priority}) + ", which comes first");
        }
        const int err = nl.call(rtnl_rule_delete(nl.get(), r.get(), 0));
        if (err == ENOENT) return;
        if (err) nl.fail("RTM_DELRULE " + rule_str(rule), err);
    }
}

void add_rule(Rtnl& nl, const PolicyRule& rule) {
    // NLM_F_EXCL: without it the kernel happily adds the same rule twice.
    if (int err = nl.call(rtnl_rule_add(nl.get(), rule_object(rule).get(), NLM_F_EXCL)); err && err != EEXIST)
        nl.fail("RTM_NEWRULE " + rule_str(rule), err);
}

std::vector<PolicyRule> list_rules(const std::string& ns, uint32_t min_priority, uint32_t max_priority) {
    if (!present(ns) || min_priority > max_priority) return {};
    return netns::run_in(ns, [&] {
        Rtnl nl(ns);
        return dump_rules(nl, min_priority, max_priority);
    });
}

void delete_rule(const std::string& ns, const PolicyRule& rule) {
    if (rule.table == 0) throw errors::invalid_parameter_route_table(rule_str(rule) + ": table 0 would match a rule of any table");
    if (rule.from.prefix_len > rule.from.addr.bits())
        throw errors::invalid_parameter_prefix_length(rule_str(rule) + ": prefix length out of range");
    if (!present(ns)) return;
    netns::run_in(ns, [&] {
        Rtnl nl(ns);
        remove_rule(nl, rule);
    });
}

PolicyRule vswitch_rule(const Cidr& from, uint32_t table) { return {from, table, 1000 + table}; }

}  // namespace xpeer::links
