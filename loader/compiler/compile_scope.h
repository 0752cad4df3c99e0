#pragma once
#include "compiler/tables.h"
#include "model/model.h"
#include "model/scope.h"

namespace xpeer {

// The entries of compile(snapshot, ports) that `scope` names, resolved against the snapshot:
// the route keys of its prefixes whose VPC is there, the ports of its vSwitches that are there
// with a link, the slots of its peering connections that are live. Given Store::snapshot_of(scope)
// instead of the whole store, the result is the same.
Tables compile_scope(const Snapshot& snapshot, const PortMap& ports, const Scope& scope);

}  // namespace xpeer
