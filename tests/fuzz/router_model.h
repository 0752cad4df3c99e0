#pragma once
// What the router may do with a frame, worked out from the topology alone (not from the maps the
// compiler fills): the vSwitch a frame may leave through, or none when it must not be forwarded.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"

namespace xpeer::fuzz {

// frame: Ethernet onwards; ingress: the vSwitch whose link it entered through.
std::optional<std::string> forward_target(const Snapshot& topology, const std::string& ingress, const std::vector<uint8_t>& frame);

}  // namespace xpeer::fuzz
