#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "model/direction.h"
#include "model/model.h"
#include "xpeer/bpf_abi.h"

namespace xpeer {

// A link's index in xp_link_stats and xp_policers: peering slot * XP_DIR_MAX + direction.
inline uint32_t link_index(uint32_t slot, Direction d) {
    static_assert(XP_DIR_A_TO_B == to_int(Direction::AToB) && XP_DIR_B_TO_A == to_int(Direction::BToA) && XP_DIR_MAX == kDirections.size());
    return slot * XP_DIR_MAX + static_cast<uint32_t>(to_int(d));
}

// A time on bpf_ktime_get_ns()'s clock (CLOCK_MONOTONIC, which steady_clock reads on Linux).
inline uint64_t ktime_ns(std::chrono::steady_clock::time_point t) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Per-CPU counter values summed over the CPUs.
LinkCounters sum(const std::vector<xp_link_counters>& per_cpu);
xp_port sum(const std::vector<xp_port>& per_cpu);  // vpc: the first CPU's that names one

// enum xp_reason as people and metrics labels name it: "forward_peering", "drop_policer", ...
std::string reason_name(unsigned reason);

}  // namespace xpeer
