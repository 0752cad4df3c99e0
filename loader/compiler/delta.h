#pragma once
#include <cstddef>
#include <optional>

#include "compiler/tables.h"

namespace xpeer {

// How many map entries a write added, changed and removed.
struct ReconcileResult {
    size_t added = 0, changed = 0, removed = 0;
    size_t total() const { return added + changed + removed; }
};

// One entry between two versions of a table: absent (nullopt) before and present after is an
// addition, the other way round a removal.
template <typename V>
struct Change {
    std::optional<V> was, now;
};

template <typename K, typename V>
using TableDelta = Table<K, Change<V>>;

// What turns one Tables into another, entry by entry; entries equal in both are not in it.
struct TablesDelta {
    TableDelta<xp_lpm_key_v4, xp_route> routes_v4;
    TableDelta<xp_lpm_key_v6, xp_route> routes_v6;
    TableDelta<uint32_t, xp_port> ports;
    TableDelta<uint32_t, xp_peering> peerings;

    bool empty() const { return routes_v4.empty() && routes_v6.empty() && ports.empty() && peerings.empty(); }
    ReconcileResult counts() const;
};

TablesDelta diff(const Tables& before, const Tables& after);
// `tables` as `delta` leaves it: every entry takes its `now`.
void patch(Tables& tables, const TablesDelta& delta);
// `first` becomes one delta with the effect of `first`, then `then`.
void merge(TablesDelta& first, const TablesDelta& then);

}  // namespace xpeer
