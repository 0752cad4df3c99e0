#include "datapath/reconcile.h"

#include <vector>

namespace xpeer {
namespace {

// Hash and LPM maps (the tries): what the map holds is read once, in batches, and only differences are written.
template <typename K, typename V>
void sync_map(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r, bool write, bool removals) {
    Table<K, V> have;
    for (auto& [k, v] : map.all_entries()) have.emplace(k, v);
    if (!removals) {
        for (const auto& [key, value] : want) {
            auto it = have.find(key);
            if (it != have.end() && bytes_equal(it->second, value)) continue;
            if (write) map.put(key, value);
            ++(it != have.end() ? r.changed : r.added);
        }
        return;
    }
    for (const auto& [key, value] : have) {
        if (want.count(key)) continue;
        if (write) map.erase(key);
        ++r.removed;
    }
}

// Arrays: every slot exists; a slot of zeros is empty.
template <typename K, typename V>
void upsert(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r, bool write) {
    for (const auto& [key, value] : want) {
        V have{};
        static const V zero{};
        bool present = map.get(key, have) && !bytes_equal(have, zero);
        if (present && bytes_equal(have, value)) continue;
        if (write) map.put(key, value);
        ++(present ? r.changed : r.added);
    }
}

// An array map cannot lose entries: an unused slot holds zeros.
template <typename V>
void sync_array(const Table<uint32_t, V>& want, TypedMap<uint32_t, V>& map, uint32_t max_entries, ReconcileResult& r,
                bool clear_stale, bool write) {
    static const V zero{};
    if (!clear_stale) {
        upsert(want, map, r, write);
        return;
    }
    for (const auto& [slot, have] : map.entries(max_entries)) {
        if (want.count(slot) || bytes_equal(have, zero)) continue;
        if (write) map.put(slot, zero);
        ++r.removed;
    }
}

// The puts (additions and changes) or the removals of one table's delta, in one batch each.
template <typename K, typename V>
void write_changes(const TableDelta<K, V>& delta, TypedMap<K, V>& map, bool removals) {
    std::vector<K> keys;
    std::vector<V> values;
    for (const auto& [key, change] : delta) {
        if (change.now.has_value() == removals) continue;
        keys.push_back(key);
        if (change.now) values.push_back(*change.now);
    }
    if (keys.empty()) return;
    if (removals)
        map.erase_all(keys);
    else
        map.put_all(keys, values);
}

// Arrays: a removed slot is written with zeros.
template <typename V>
void zero_removed(const TableDelta<uint32_t, V>& delta, TypedMap<uint32_t, V>& map) {
    std::vector<uint32_t> keys;
    for (const auto& [key, change] : delta)
        if (!change.now) keys.push_back(key);
    if (!keys.empty()) map.put_all(keys, std::vector<V>(keys.size()));
}

ReconcileResult sync(const Tables& desired, Datapath& dp, bool write) {
    ReconcileResult r;
    sync_array(desired.ports, dp.ports, XP_MAX_PORTS, r, false, write);
    sync_array(desired.peerings, dp.peerings, XP_MAX_PEERINGS, r, false, write);
    sync_map(desired.routes_v4, dp.routes_v4, r, write, false);
    sync_map(desired.routes_v6, dp.routes_v6, r, write, false);
    sync_map(desired.routes_v4, dp.routes_v4, r, write, true);
    sync_map(desired.routes_v6, dp.routes_v6, r, write, true);
    sync_array(desired.peerings, dp.peerings, XP_MAX_PEERINGS, r, true, write);
    sync_array(desired.ports, dp.ports, XP_MAX_PORTS, r, true, write);
    return r;
}

}  // namespace

// Always bumps: a rewrite after a killed command or a rollback may change nothing in the maps and
// still have to retire what the cache learnt from the uncommitted entries in between.
ReconcileResult reconcile(const Tables& desired, Datapath& dp) {
    ReconcileResult r = sync(desired, dp, true);
    dp.bump_generation();
    return r;
}

ReconcileResult plan(const Tables& desired, Datapath& dp) { return sync(desired, dp, false); }

ReconcileResult write(const TablesDelta& delta, Datapath& dp) {
    write_changes(delta.ports, dp.ports, false);
    write_changes(delta.peerings, dp.peerings, false);
    write_changes(delta.routes_v4, dp.routes_v4, false);
    write_changes(delta.routes_v6, dp.routes_v6, false);
    write_changes(delta.routes_v4, dp.routes_v4, true);
    write_changes(delta.routes_v6, dp.routes_v6, true);
    zero_removed(delta.peerings, dp.peerings);
    zero_removed(delta.ports, dp.ports);
    ReconcileResult r = delta.counts();
    if (r.total() > 0) dp.bump_generation();
    return r;
}

}  // namespace xpeer
