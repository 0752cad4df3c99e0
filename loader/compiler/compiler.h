#pragma once
#include "compiler/tables.h"
#include "model/model.h"

namespace xpeer {

// Desired state -> map entries. Pure: the same snapshot and ports always give the same tables.
// A vSwitch whose link is not in `ports` gets no entries (the link is made before compiling).
// Route entries never displace a system route with the same destination.
Tables compile(const Snapshot& snapshot, const PortMap& ports);

}  // namespace xpeer
