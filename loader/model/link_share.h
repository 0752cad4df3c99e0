#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "model/direction.h"

namespace xpeer {

// This host's part of a link direction's bandwidth while other hosts send on it too
// (telemetry/bandwidth_share.h): what its router polices at instead of the connection's rate.
struct LinkShare {
    std::string peering;    // the connection's id: a slot another connection takes ignores it
    uint64_t rate = 0;      // bytes per second, until `until`
    uint64_t fallback = 0;  // bytes per second after it: the least part the host could be given
    std::chrono::steady_clock::time_point until;
};

}  // namespace xpeer
