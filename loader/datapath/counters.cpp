#include "datapath/counters.h"

#include <iterator>

namespace xpeer {

LinkCounters sum(const std::vector<xp_link_counters>& per_cpu) {
    // Each of the model's counters is the ABI's member of the same name (or this does not
    // compile), and the ABI has no counter more: its struct holds them and the policer's stash.
    static_assert(sizeof(xp_link_counters) == (std::size(kLinkCounterFields) + 1) * sizeof(__u64),
                  "a counter of xp_link_counters is missing from XPEER_LINK_COUNTER_FIELDS");
    LinkCounters s;
    for (const auto& c : per_cpu) {
#define XPEER_ADD_CPU(member, json, drop_line) s.member += c.member;
        XPEER_LINK_COUNTER_FIELDS(XPEER_ADD_CPU)
#undef XPEER_ADD_CPU
    }
    return s;
}

xp_port sum(const std::vector<xp_port>& per_cpu) {
    xp_port s{};
    for (const auto& c : per_cpu) {
        s.vpc = s.vpc ? s.vpc : c.vpc;
        s.rx.packets += c.rx.packets;
        s.rx.bytes += c.rx.bytes;
        s.tx.packets += c.tx.packets;
        s.tx.bytes += c.tx.bytes;
    }
    return s;
}

std::string reason_name(unsigned r) {
    static_assert(XP_REASON_DROP_UNDERLAY_FULL == 19 && XP_REASON_MAX == 20, "one name per enum xp_reason, in order");
    static const char* names[XP_REASON_MAX] = {"forward_local",  "forward_peering",    "pass_not_ip",       "pass_link_local",
                                               "drop_no_route",  "drop_transit",       "drop_inactive",     "drop_ttl",
                                               "drop_malformed", "unknown_port",       "drop_policer",      "drop_spoofed",
                                               "drop_reserved",  "drop_ingress_queue", "drop_egress_queue", "forward_tunnel_in",
                                               "drop_underlay",  "drop_tunnel_source", "drop_tunnel_vni",   "drop_underlay_full"};
    return r < XP_REASON_MAX ? names[r] : "reason_" + std::to_string(r);
}

}  // namespace xpeer
