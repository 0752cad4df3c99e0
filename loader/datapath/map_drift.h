#pragma once
#include <vector>

#include "compiler/delta.h"
#include "compiler/tables.h"
#include "datapath/bpf_router.h"
#include "model/drift.h"

namespace xpeer {

// Every entry of the routes, ports and peerings maps that differs from `want` (the compiler's
// tables for the committed store): missing, not in the store, or holding another value. A
// port's copies are compared on every CPU, its counters left out. And every VPC's compiled
// lookup that is not compile_fib(want)'s (fib_differences).
std::vector<Difference> map_differences(const Tables& want, const BpfRouter& dp);
// The same, for tables already read: `delta` is diff(what the maps hold, what they should).
std::vector<Difference> describe_differences(const TablesDelta& delta);

}  // namespace xpeer
