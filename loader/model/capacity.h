#pragma once
#include <cstddef>

namespace xpeer {

// What the data plane's maps hold, for the layers that must not see their layout
// (the ABI header's XP_MAX_*; loader/datapath/datapath.cpp asserts that they agree).
inline constexpr size_t kMaxRoutesPerFamily = 2'097'152;  // XP_MAX_ROUTES, all VPCs together

}  // namespace xpeer
