#pragma once
#include <string>
#include <vector>

#include "controller/controller.h"

// The Prometheus text exposition of what the agent sampled last.
namespace xpeer::metrics {

// What the agent's drift checks found: differences at the last check, and repaired since start.
struct Drift {
    uint64_t found = 0;
    uint64_t repaired_total = 0;
};

// Counters from the samples' totals; rates, utilisation and loss over each sample's interval
// (absent before the second sample); this host's parts of bandwidths shared with other hosts;
// the router's verdicts by reason; drift.
std::string exposition(const std::vector<LinkSample>& samples, const VerdictCounts& reasons, const Drift& drift = {},
                       const std::vector<BandwidthSharer::LinkPart>& parts = {});

}  // namespace xpeer::metrics
