#pragma once
#include <cstdint>
#include <optional>

#include "model/model.h"

// From two readings of a link's counters to what people watch: rates, utilisation, loss.
namespace xpeer::telemetry {

// What happened between two cumulative readings. A reading below the previous one means the
// counters restarted (a reboot, a teardown, the slot taken by a new connection): then the new
// reading is all that happened since.
LinkCounters delta(const LinkCounters& before, const LinkCounters& after);
LinkCounters add(const LinkCounters& a, const LinkCounters& b);
uint64_t drops(const LinkCounters& c);  // every drop on the link, whatever the reason

struct LinkRate {
    double bits_per_second = 0;
    double packets_per_second = 0;
    std::optional<double> utilization;  // of the bandwidth; none when unlimited
    double loss = 0;                    // dropped / (forwarded + dropped) packets
};

// Over `seconds` (> 0) with `bandwidth_mbps` (-1 unlimited).
LinkRate rate(const LinkCounters& delta, double seconds, int64_t bandwidth_mbps);

}  // namespace xpeer::telemetry
