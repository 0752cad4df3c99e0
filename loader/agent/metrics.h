#pragma once
#include <string>
#include <vector>

#include "controller/controller.h"

// The Prometheus text exposition of what the agent sampled last.
namespace xpeer::metrics {

// Counters from the samples' totals; rates, utilisation and loss over each sample's interval
// (absent before the second sample); the router's verdicts by reason.
std::string exposition(const std::vector<LinkSample>& samples, const std::vector<xp_counters>& reasons);

}  // namespace xpeer::metrics
