#pragma once
#include <cstddef>

#include "compiler/delta.h"
#include "compiler/tables.h"
#include "datapath/bpf_router.h"

namespace xpeer {

// Makes the maps hold exactly `desired`. Idempotent. Order keeps traffic that stays valid
// flowing: ports and peerings are written before the routes that use them, and routes are
// removed before the ports and peerings they point at.
// Counters::Adopt: an upgrade's new maps, whose link counters are the running build's, carried
// over: no slot is a new connection's.
enum class Counters { ClearNewOwners, Adopt };
ReconcileResult reconcile(const Tables& desired, BpfRouter& dp, Counters counters = Counters::ClearNewOwners);
// Writes `delta` (its `now` side) as reconcile orders its writes, in batches; a removed
// peering slot is zeroed. Both clear the link counters and fill the buckets of a slot that a new
// connection takes (xp_peering.owner), before it is written. `over`: the tables after the delta, holding every route that contains
// a changed one; with it the compiled lookups are patched in place, without it (or when they
// cannot be) the changed VPCs' are compiled afresh from the tries.
ReconcileResult write(const TablesDelta& delta, BpfRouter& dp, const Tables* over = nullptr);
// A port without its counters: what the loader writes, and what it compares a CPU's copy by.
xp_port port_config(const xp_port& p);
// What reconcile would change, counted the same way; the maps are only read.
ReconcileResult plan(const Tables& desired, BpfRouter& dp);

}  // namespace xpeer
