#include "model/placement.h"

#include <algorithm>

namespace xpeer {

bool is_here(const VSwitch& vsw, const LocalHost& local) { return vsw.host.value_or("") == local.name; }

std::vector<VSwitch> vswitches_here(const Snapshot& s) {
    std::vector<VSwitch> out;
    std::ranges::copy_if(s.vswitches, std::back_inserter(out), [&](const VSwitch& v) { return is_here(v, s.local); });
    return out;
}

std::vector<Vpc> vpcs_here(const Snapshot& s) {
    if (s.hosts.empty()) return s.vpcs;
    std::vector<Vpc> out;
    std::ranges::copy_if(s.vpcs, std::back_inserter(out), [&](const Vpc& vpc) {
        return std::ranges::any_of(s.vswitches, [&](const VSwitch& v) { return v.vpc_id == vpc.id && is_here(v, s.local); });
    });
    return out;
}

}  // namespace xpeer
