#include "telemetry/rates.h"

namespace xpeer::telemetry {

LinkCounters delta(const LinkCounters& b, const LinkCounters& a) {
    LinkCounters d;
    for (const auto& f : kLinkCounterFields) {
        if (a.*f.member < b.*f.member) return a;  // restarted
        d.*f.member = a.*f.member - b.*f.member;
    }
    return d;
}

LinkCounters add(const LinkCounters& a, const LinkCounters& b) {
    LinkCounters s;
    for (const auto& f : kLinkCounterFields) s.*f.member = a.*f.member + b.*f.member;
    return s;
}

uint64_t drops(const LinkCounters& c) {
    uint64_t n = 0;
    for (const auto& f : kLinkCounterFields)
        if (f.is_drop()) n += c.*f.member;
    return n;
}

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
