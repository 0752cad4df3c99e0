#pragma once
#include <string>
#include <vector>

#include "model/model.h"
#include "xpeer/bpf_abi.h"

namespace xpeer {

// Per-CPU counter values summed over the CPUs.
LinkCounters sum(const std::vector<xp_link_counters>& per_cpu);
xp_port sum(const std::vector<xp_port>& per_cpu);  // vpc: the first CPU's that names one

// enum xp_reason as people and metrics labels name it: "forward_peering", "drop_policer", ...
std::string reason_name(unsigned reason);

}  // namespace xpeer
