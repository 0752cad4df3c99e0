#include "datapath/counters.h"

namespace xpeer {

LinkCounters sum(const std::vector<xp_link_counters>& per_cpu) {
    LinkCounters s;
    for (const auto& c : per_cpu) {
        s.packets += c.packets;
        s.bytes += c.bytes;
        s.drop_inactive += c.drop_inactive;
        s.drop_no_route += c.drop_no_route;
        s.drop_transit += c.drop_transit;
        s.drop_ttl += c.drop_ttl;
        s.drop_policer += c.drop_policer;
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
    static_assert(XP_REASON_DROP_RESERVED == 12 && XP_REASON_MAX == 13, "one name per enum xp_reason, in order");
    static const char* names[XP_REASON_MAX] = {"forward_local",  "forward_peering", "pass_not_ip",   "pass_link_local", "drop_no_route",
                                               "drop_transit",   "drop_inactive",   "drop_ttl",      "drop_malformed",  "unknown_port",
                                               "drop_policer",   "drop_spoofed",    "drop_reserved"};
    return r < XP_REASON_MAX ? names[r] : "reason_" + std::to_string(r);
}

}  // namespace xpeer
