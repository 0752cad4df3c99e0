#pragma once
// Carrying values from a pinned map of another layout into this build's map (`xpeer --operator
// upgrade`), as a MapStep of plan_upgrade says: counters added, settings copied.
#include <cstddef>

#include "datapath/map_migration.h"

namespace xpeer {

// Adds step.moves (64-bit counters) of every element of the map old_fd into the map new_fd
// (BPF_F_MMAPABLE), then zeroes the old element: run again after a kill, it adds only what it had
// not. Call it once no program writes old_fd; programs may be counting into new_fd (each CPU's
// region is added to from a thread on that CPU, in one instruction a counter, so that no packet's
// increment is lost). Returns how many elements held something to carry.
size_t add_counters(const MapStep& step, int old_fd, int new_fd);
// Copies step.moves of every element of old_fd into new_fd's (before any program uses new_fd).
// Returns how many elements it copied.
size_t copy_fields(const MapStep& step, int old_fd, int new_fd);

}  // namespace xpeer
