#pragma once
#include <vector>

#include "model/model.h"
#include "xpeer/bpf_abi.h"

namespace xpeer {

// Per-CPU counter values summed over the CPUs.
LinkCounters sum(const std::vector<xp_link_counters>& per_cpu);
xp_counters sum(const std::vector<xp_counters>& per_cpu);

}  // namespace xpeer
