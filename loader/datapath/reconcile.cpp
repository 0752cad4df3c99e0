#include "datapath/reconcile.h"

namespace xpeer {
namespace {

template <typename K, typename V>
void upsert(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r) {
    for (const auto& [key, value] : want) {
        V have{};
        static const V zero{};
        bool present = map.get(key, have) && !bytes_equal(have, zero);  // an array slot of zeros is empty
        if (present && bytes_equal(have, value)) continue;
        map.put(key, value);
        ++(present ? r.changed : r.added);
    }
}

template <typename K, typename V>
void remove_stale(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r) {
    for (const auto& key : map.keys()) {
        if (want.count(key)) continue;
        map.erase(key);
        ++r.removed;
    }
}

// An array map cannot lose entries: an unused slot holds zeros.
void sync_peerings(const Table<uint32_t, xp_peering>& want, TypedMap<uint32_t, xp_peering>& map, ReconcileResult& r,
                   bool clear_stale) {
    static const xp_peering zero{};
    if (!clear_stale) {
        upsert(want, map, r);
        return;
    }
    for (const auto& [slot, have] : map.entries(XP_MAX_PEERINGS)) {
        if (want.count(slot) || bytes_equal(have, zero)) continue;
        map.put(slot, zero);
        ++r.removed;
    }
}

}  // namespace

ReconcileResult reconcile(const Tables& desired, Datapath& dp) {
    ReconcileResult r;
    upsert(desired.ports, dp.ports, r);
    sync_peerings(desired.peerings, dp.peerings, r, false);
    upsert(desired.routes_v4, dp.routes_v4, r);
    upsert(desired.routes_v6, dp.routes_v6, r);
    remove_stale(desired.routes_v4, dp.routes_v4, r);
    remove_stale(desired.routes_v6, dp.routes_v6, r);
    sync_peerings(desired.peerings, dp.peerings, r, true);
    remove_stale(desired.ports, dp.ports, r);
    return r;
}

}  // namespace xpeer
