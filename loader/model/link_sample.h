#pragma once
#include "model/direction.h"
#include "model/model.h"

namespace xpeer {

// One link direction between two samples.
struct LinkSample {
    Peering peering;
    Direction direction = Direction::AToB;
    LinkCounters total;  // since the connection began
    LinkCounters delta;  // since the previous sample
    double seconds = 0;  // since the previous sample; 0 for the first
};

}  // namespace xpeer
