#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "model/mac.h"

namespace xpeer {

// A vSwitch veth as the kernel has it.
struct PortInfo {
    uint32_t ifindex = 0;  // datapath side
    Mac datapath_mac{};
    Mac vpc_mac{};
};

using PortMap = std::map<std::string, PortInfo>;  // by vSwitch id

}  // namespace xpeer
