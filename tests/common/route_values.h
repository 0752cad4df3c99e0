#pragma once
// Route values for hand-made tables in tests of the compiled lookup.
#include "xpeer/bpf_abi.h"

namespace xpeer::testing {

inline xp_route vswitch(uint32_t ifindex) {
    xp_route r{};
    r.kind = XP_NH_VSWITCH;
    r.target = ifindex;
    r.dmac[5] = static_cast<uint8_t>(ifindex);
    return r;
}
inline xp_route peering(uint32_t slot) { return xp_route{XP_NH_PEERING, slot, {}, {}}; }
inline xp_route reserved() { return xp_route{XP_NH_RESERVED, 0, {}, {}}; }

}  // namespace xpeer::testing
