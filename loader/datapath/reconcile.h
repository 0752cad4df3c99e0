#pragma once
#include <cstddef>

#include "compiler/tables.h"
#include "datapath/datapath.h"

namespace xpeer {

struct ReconcileResult {
    size_t added = 0, changed = 0, removed = 0;
    size_t total() const { return added + changed + removed; }
};

// Makes the maps hold exactly `desired`. Idempotent. Order keeps traffic that stays valid
// flowing: ports and peerings are written before the routes that use them, and routes are
// removed before the ports and peerings they point at.
ReconcileResult reconcile(const Tables& desired, Datapath& dp);
// What reconcile would change, counted the same way; the maps are only read.
ReconcileResult plan(const Tables& desired, Datapath& dp);

}  // namespace xpeer
