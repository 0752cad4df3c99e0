#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xpeer {

// The packets and bytes the router gave one verdict, summed over CPUs.
struct ReasonCount {
    std::string reason;  // "forward_peering", "drop_policer", ...: metrics labels and `stats` rows
    uint64_t packets = 0;
    uint64_t bytes = 0;
};

// Every verdict the router knows, in the data plane's order, each once.
using VerdictCounts = std::vector<ReasonCount>;

}  // namespace xpeer
