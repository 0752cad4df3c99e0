#include "compiler/delta.h"

namespace xpeer {
namespace {

template <typename V>
bool same(const std::optional<V>& a, const std::optional<V>& b) {
    return a.has_value() == b.has_value() && (!a || bytes_equal(*a, *b));
}

// Both tables are ordered by the same key order: one pass over the two.
template <typename K, typename V>
void diff_table(const Table<K, V>& before, const Table<K, V>& after, TableDelta<K, V>& out) {
    const BytesLess<K> less;
    auto b = before.begin(), a = after.begin();
    while (b != before.end() || a != after.end()) {
        if (a == after.end() || (b != before.end() && less(b->first, a->first))) {
            out.emplace_hint(out.end(), b->first, Change<V>{b->second, std::nullopt});
            ++b;
        } else if (b == before.end() || less(a->first, b->first)) {
            out.emplace_hint(out.end(), a->first, Change<V>{std::nullopt, a->second});
            ++a;
        } else {
            if (!bytes_equal(b->second, a->second)) out.emplace_hint(out.end(), a->first, Change<V>{b->second, a->second});
            ++b, ++a;
        }
    }
}

template <typename K, typename V>
void patch_table(Table<K, V>& table, const TableDelta<K, V>& delta) {
    for (const auto& [key, change] : delta) {
        if (change.now)
            table.insert_or_assign(key, *change.now);
        else
            table.erase(key);
    }
}

template <typename K, typename V>
void merge_table(TableDelta<K, V>& first, const TableDelta<K, V>& then) {
    for (const auto& [key, change] : then) {
        auto [it, inserted] = first.emplace(key, change);
        if (inserted) continue;
        it->second.now = change.now;
        if (same(it->second.was, it->second.now)) first.erase(it);
    }
}

template <typename K, typename V>
void count(const TableDelta<K, V>& delta, ReconcileResult& r) {
    for (const auto& [key, change] : delta) ++(!change.was ? r.added : !change.now ? r.removed : r.changed);
}

}  // namespace

ReconcileResult TablesDelta::counts() const {
    ReconcileResult r;
    count(routes_v4, r);
    count(routes_v6, r);
    count(ports, r);
    count(peerings, r);
    return r;
}

TablesDelta diff(const Tables& before, const Tables& after) {
    TablesDelta d;
    diff_table(before.routes_v4, after.routes_v4, d.routes_v4);
    diff_table(before.routes_v6, after.routes_v6, d.routes_v6);
    diff_table(before.ports, after.ports, d.ports);
    diff_table(before.peerings, after.peerings, d.peerings);
    return d;
}

void patch(Tables& tables, const TablesDelta& delta) {
    patch_table(tables.routes_v4, delta.routes_v4);
    patch_table(tables.routes_v6, delta.routes_v6);
    patch_table(tables.ports, delta.ports);
    patch_table(tables.peerings, delta.peerings);
}

void merge(TablesDelta& first, const TablesDelta& then) {
    merge_table(first.routes_v4, then.routes_v4);
    merge_table(first.routes_v6, then.routes_v6);
    merge_table(first.ports, then.ports);
    merge_table(first.peerings, then.peerings);
}

}  // namespace xpeer
