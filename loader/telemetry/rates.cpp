#include "telemetry/rates.h"

namespace xpeer::telemetry {

LinkCounters delta(const LinkCounters& b, const LinkCounters& a) {
    bool restarted = a.packets < b.packets || a.bytes < b.bytes || a.drop_inactive < b.drop_inactive || a.drop_no_route < b.drop_no_route ||
                     a.drop_transit < b.drop_transit || a.drop_ttl < b.drop_ttl || a.drop_policer < b.drop_policer;
    if (restarted) return a;
    return LinkCounters{a.packets - b.packets,           a.bytes - b.bytes,       a.drop_inactive - b.drop_inactive,
                        a.drop_no_route - b.drop_no_route, a.drop_transit - b.drop_transit, a.drop_ttl - b.drop_ttl,
                        a.drop_policer - b.drop_policer};
}

LinkCounters add(const LinkCounters& a, const LinkCounters& b) {
    return LinkCounters{a.packets + b.packets,           a.bytes + b.bytes,       a.drop_inactive + b.drop_inactive,
                        a.drop_no_route + b.drop_no_route, a.drop_transit + b.drop_transit, a.drop_ttl + b.drop_ttl,
                        a.drop_policer + b.drop_policer};
}

uint64_t drops(const LinkCounters& c) { return c.drop_inactive + c.drop_no_route + c.drop_transit + c.drop_ttl + c.drop_policer; }

LinkRate rate(const LinkCounters& d, double seconds, int64_t bandwidth_mbps) {
    LinkRate r;
    if (seconds <= 0) return r;
    r.bits_per_second = static_cast<double>(d.bytes) * 8 / seconds;
    r.packets_per_second = static_cast<double>(d.packets) / seconds;
    if (bandwidth_mbps > 0) r.utilization = r.bits_per_second / (static_cast<double>(bandwidth_mbps) * 1e6);
    uint64_t dropped = drops(d);
    if (d.packets + dropped > 0) r.loss = static_cast<double>(dropped) / static_cast<double>(d.packets + dropped);
    return r;
}

}  // namespace xpeer::telemetry
