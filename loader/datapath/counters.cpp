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
    }
    return s;
}

xp_counters sum(const std::vector<xp_counters>& per_cpu) {
    xp_counters s{};
    for (const auto& c : per_cpu) {
        s.packets += c.packets;
        s.bytes += c.bytes;
    }
    return s;
}

}  // namespace xpeer
