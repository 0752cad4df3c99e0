#include "datapath/reconcile.h"

namespace xpeer {
namespace {

template <typename K, typename V>
void upsert(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r, bool write) {
    for (const auto& [key, value] : want) {
        V have{};
        static const V zero{};
        bool present = map.get(key, have) && !bytes_equal(have, zero);  // an array slot of zeros is empty
        if (present && bytes_equal(have, value)) continue;
        if (write) map.put(key, value);
        ++(present ? r.changed : r.added);
    }
}

template <typename K, typename V>
void remove_stale(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r, bool write) {
    for (const auto& key : map.keys()) {
        if (want.count(key)) continue;
        if (write) map.erase(key);
        ++r.removed;
    }
}

// An array map cannot lose entries: an unused slot holds zeros.
void sync_peerings(const Table<uint32_t, xp_peering>& want, TypedMap<uint32_t, xp_peering>& map, ReconcileResult& r,
                   bool clear_stale, bool write) {
    static const xp_peering zero{};
    if (!clear_stale) {
        upsert(want, map, r, write);
        return;
    }
    for (const auto& [slot, have] : map.entries(XP_MAX_PEERINGS)) {
        if (want.count(slot) || bytes_equal(have, zero)) continue;
        if (write) map.put(slot, zero);
        ++r.removed;
    }
}

ReconcileResult sync(const Tables& desired, Datapath& dp, bool write) {
    ReconcileResult r;
    upsert(desired.ports, dp.ports, r, write);
    sync_peerings(desired.peerings, dp.peerings, r, false, write);
    upsert(desired.routes_v4, dp.routes_v4, r, write);
    upsert(desired.routes_v6, dp.routes_v6, r, write);
    remove_stale(desired.routes_v4, dp.routes_v4, r, write);
    remove_stale(desired.routes_v6, dp.routes_v6, r, write);
    sync_peerings(desired.peerings, dp.peerings, r, true, write);
    remove_stale(desired.ports, dp.ports, r, write);
    return r;
}

}  // namespace

ReconcileResult reconcile(const Tables& desired, Datapath& dp) { return sync(desired, dp, true); }

ReconcileResult plan(const Tables& desired, Datapath& dp) { return sync(desired, dp, false); }

}  // namespace xpeer
