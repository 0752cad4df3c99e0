#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "model/direction.h"

namespace xpeer {

using LinkKey = std::pair<std::string, Direction>;  // (connection id, direction)

// What a host's agent last published (etcd: hosts/HOST/demand): what its VPCs ask of each link
// direction they send on together with other hosts' (telemetry/bandwidth_share.h).
struct HostDemand {
    int64_t time_ms = 0;      // wall clock, when it was published
    int64_t lease_ms = 0;     // the other hosts count on it this long, then at the equal part
    int64_t interval_ms = 0;  // how often its agent runs: how soon it reads what others publish
    std::map<LinkKey, double> bytes_per_second;
};

}  // namespace xpeer
