#include "datapath/reconcile.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "compiler/fib.h"
#include "datapath/counters.h"
#include "datapath/cpu_array.h"
#include "datapath/fib_writer.h"
#include "datapath/mapped_array.h"

namespace xpeer {
namespace {

// A pass over the maps either writes what differs or only counts it (a plan).
enum class Mode { Write, Count };
// Each map is passed twice: additions and changes first, removals after the maps that point at
// what they remove.
enum class Phase { Put, Remove };

// Hash and LPM maps (the tries): what the map holds is read once, in batches, and only differences are written.
template <typename K, typename V>
void sync_map(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r, Phase phase, Mode mode) {
    Table<K, V> have;
    for (auto& [k, v] : map.all_entries()) have.emplace(k, v);
    if (phase == Phase::Put) {
        for (const auto& [key, value] : want) {
            auto it = have.find(key);
            if (it != have.end() && bytes_equal(it->second, value)) continue;
            if (mode == Mode::Write) map.put(key, value);
            ++(it != have.end() ? r.changed : r.added);
        }
        return;
    }
    for (const auto& [key, value] : have) {
        if (want.count(key)) continue;
        if (mode == Mode::Write) map.erase(key);
        ++r.removed;
    }
}

// Arrays: every slot exists; a slot of zeros is empty.
template <typename K, typename V>
void upsert(const Table<K, V>& want, TypedMap<K, V>& map, ReconcileResult& r, Mode mode) {
    for (const auto& [key, value] : want) {
        V have{};
        static const V zero{};
        bool present = map.get(key, have) && !bytes_equal(have, zero);
        if (present && bytes_equal(have, value)) continue;
        if (mode == Mode::Write) map.put(key, value);
        ++(present ? r.changed : r.added);
    }
}

// An array map cannot lose entries: an unused slot holds zeros.
template <typename V>
void sync_array(const Table<uint32_t, V>& want, TypedMap<uint32_t, V>& map, uint32_t max_entries, ReconcileResult& r, Phase phase,
                Mode mode) {
    static const V zero{};
    if (phase == Phase::Put) {
        upsert(want, map, r, mode);
        return;
    }
    for (const auto& [slot, have] : map.entries(max_entries)) {
        if (want.count(slot) || bytes_equal(have, zero)) continue;
        if (mode == Mode::Write) map.put(slot, zero);
        ++r.removed;
    }
}

// Ports: every CPU has a copy of a port, with counters of its own. A port is as wanted when every
// copy names the wanted VPC and sources; it is written whole, every copy, its counters zeroed.
void write_port(CpuArray<xp_port>& ports, uint32_t ifindex, const xp_port& value) {
    ports.write_percpu(ifindex, std::vector<xp_port>(cpu_ids(), value));
}

void sync_ports(const Table<uint32_t, xp_port>& want, CpuArray<xp_port>& ports, ReconcileResult& r, Phase phase, Mode mode) {
    auto present = [](const std::vector<xp_port>& copies) {
        return std::any_of(copies.begin(), copies.end(), [](const xp_port& c) { return c.vpc != 0; });
    };
    if (phase == Phase::Put) {
        for (const auto& [ifindex, value] : want) {
            const auto copies = ports.read_percpu(ifindex);
            if (std::all_of(copies.begin(), copies.end(),
                            [&value = value](const xp_port& c) { return bytes_equal(port_config(c), value); }))
                continue;
            if (mode == Mode::Write) write_port(ports, ifindex, value);
            ++(present(copies) ? r.changed : r.added);
        }
        return;
    }
    for (uint32_t ifindex = 0; ifindex < ports.per_cpu(); ++ifindex) {
        if (want.count(ifindex) || !present(ports.read_percpu(ifindex))) continue;
        if (mode == Mode::Write) write_port(ports, ifindex, xp_port{});
        ++r.removed;
    }
}

// The additions and changes of a delta's ports, or its removals.
void write_ports(const TableDelta<uint32_t, xp_port>& delta, CpuArray<xp_port>& ports, Phase phase) {
    for (const auto& [ifindex, change] : delta)
        if (change.now.has_value() == (phase == Phase::Put)) write_port(ports, ifindex, change.now.value_or(xp_port{}));
}

// The puts (additions and changes) or the removals of one table's delta, in one batch each.
template <typename K, typename V>
void write_changes(const TableDelta<K, V>& delta, TypedMap<K, V>& map, Phase phase) {
    std::vector<K> keys;
    std::vector<V> values;
    for (const auto& [key, change] : delta) {
        if (change.now.has_value() != (phase == Phase::Put)) continue;
        keys.push_back(key);
        if (change.now) values.push_back(*change.now);
    }
    if (keys.empty()) return;
    if (phase == Phase::Remove)
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

// A connection that takes a slot from another one, or an empty slot, starts from cleared link
// counters, a full bucket and no part of a shared bandwidth, on every host that programs it: what
// a deleted connection counted last (on this host, whichever host deleted it) is not the new
// one's. A slot whose owner an older build left unset (0) is adopted as it is.
void clear_link_slot(BpfRouter& dp, uint32_t slot) {
    const std::vector<xp_link_counters> zero(cpu_ids());  // the stashes too
    for (Direction dir : kDirections) {
        dp.link_stats.write_percpu(link_index(slot, dir), zero);
        dp.policers.put(link_index(slot, dir), xp_policer{});
        dp.link_shares.put(link_index(slot, dir), xp_link_share{});
    }
}

const xp_peering* written(const xp_peering& p) { return &p; }
const xp_peering* written(const Change<xp_peering>& c) { return c.now ? &*c.now : nullptr; }

template <typename Slots>
void clear_new_owners(const Slots& want, const Table<uint32_t, xp_peering>& have, BpfRouter& dp) {
    for (const auto& entry : want) {
        const xp_peering* next = written(entry.second);
        if (!next) continue;
        const auto it = have.find(entry.first);
        if (it != have.end() && (it->second.owner == next->owner || it->second.owner == 0)) continue;
        clear_link_slot(dp, entry.first);
    }
}

// The peerings the map holds, read through its mapping: every route change needs them, and a
// BPF_MAP_LOOKUP_BATCH of all 65,536 slots took tens of milliseconds of it.
Table<uint32_t, xp_peering> read_peerings(const BpfRouter& dp) {
    const MappedArray<xp_peering> slots(TypedMap<uint32_t, xp_peering>::borrow(dp.peerings.fd(), dp.peerings.name()));
    Table<uint32_t, xp_peering> out;
    for (uint32_t slot = 0; slot < slots.size(); ++slot)
        if (const xp_peering& p = slots[slot]; p.vpc_a != 0) out.emplace(slot, p);
    return out;
}

// What the tries hold now, with the peerings: what the compiled lookups are compiled from.
Tables read_routes(const BpfRouter& dp) {
    Tables t;
    for (auto& [key, route] : dp.routes_v4.all_entries()) t.routes_v4.emplace(key, route);
    for (auto& [key, route] : dp.routes_v6.all_entries()) t.routes_v6.emplace(key, route);
    t.peerings = read_peerings(dp);
    return t;
}

// The compiled lookups change between the routes' writes and the removals of the ports and
// peerings they point at. A VPC whose trie is to change has the tries decide for it while its
// routes are written (its root is 0), so that no packet takes an old trie's way to a port or
// peering that changes under it.
ReconcileResult sync(const Tables& desired, BpfRouter& dp, Mode mode, Counters counters = Counters::ClearNewOwners) {
    ReconcileResult r;
    std::optional<Fib> fib;
    RetiredRoots retired;
    if (mode == Mode::Write) {
        fib = compile_fib(desired);
        retired = invalidate_fib(dp, fib_vpcs_differing(dp, *fib));
    }
    sync_ports(desired.ports, dp.ports, r, Phase::Put, mode);
    if (mode == Mode::Write && counters == Counters::ClearNewOwners) clear_new_owners(desired.peerings, read_peerings(dp), dp);
    sync_array(desired.peerings, dp.peerings, XP_MAX_PEERINGS, r, Phase::Put, mode);
    sync_array(desired.tunnels, dp.tunnels, XP_MAX_TUNNELS, r, Phase::Put, mode);
    sync_array(desired.underlay_qos, dp.underlay_qos, 1, r, Phase::Put, mode);
    for (Phase phase : {Phase::Put, Phase::Remove}) {
        sync_map(desired.routes_v4, dp.routes_v4, r, phase, mode);
        sync_map(desired.routes_v6, dp.routes_v6, r, phase, mode);
        sync_map(desired.underlay_hosts, dp.underlay_hosts, r, phase, mode);
    }
    if (fib) install_fib(dp, *fib, nullptr, retired);
    sync_array(desired.tunnels, dp.tunnels, XP_MAX_TUNNELS, r, Phase::Remove, mode);
    sync_array(desired.underlay_qos, dp.underlay_qos, 1, r, Phase::Remove, mode);
    sync_array(desired.peerings, dp.peerings, XP_MAX_PEERINGS, r, Phase::Remove, mode);
    sync_ports(desired.ports, dp.ports, r, Phase::Remove, mode);
    return r;
}

}  // namespace

xp_port port_config(const xp_port& p) {
    xp_port c = p;
    c.rx = c.tx = xp_counters{};
    return c;
}

ReconcileResult reconcile(const Tables& desired, BpfRouter& dp, Counters counters) { return sync(desired, dp, Mode::Write, counters); }

ReconcileResult plan(const Tables& desired, BpfRouter& dp) { return sync(desired, dp, Mode::Count); }

ReconcileResult write(const TablesDelta& delta, BpfRouter& dp, const Tables* over) {
    Table<uint32_t, xp_peering> peerings;
    if (!delta.routes_v4.empty() || !delta.routes_v6.empty() || !delta.peerings.empty()) peerings = read_peerings(dp);
    const std::set<uint32_t> fib_vpcs = fib_vpcs_of(delta, peerings);
    // The tries decide for the VPCs whose compiled lookups change, and so see the change as soon
    // as they hold it, until each VPC's new root is set: patched from the trie its old root
    // names, or compiled afresh.
    const RetiredRoots retired = invalidate_fib(dp, fib_vpcs);
    write_ports(delta.ports, dp.ports, Phase::Put);
    clear_new_owners(delta.peerings, peerings, dp);
    write_changes(delta.peerings, dp.peerings, Phase::Put);
    for (Phase phase : {Phase::Put, Phase::Remove}) {
        write_changes(delta.routes_v4, dp.routes_v4, phase);
        write_changes(delta.routes_v6, dp.routes_v6, phase);
    }
    std::optional<FibPatch> patch;
    if (!fib_vpcs.empty() && over) patch = plan_fib_patch(dp, delta, *over, peerings, retired);
    if (patch)
        install_fib_patch(dp, *patch, retired);
    else if (!fib_vpcs.empty())
        install_fib(dp, compile_fib(read_routes(dp), &fib_vpcs), &fib_vpcs, retired);
    zero_removed(delta.peerings, dp.peerings);
    write_ports(delta.ports, dp.ports, Phase::Remove);
    return delta.counts();
}

}  // namespace xpeer
