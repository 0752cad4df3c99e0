#pragma once
#include <string>
#include <vector>

#include "compiler/delta.h"
#include "compiler/tables.h"
#include "datapath/map_migration.h"
#include "datapath/reconcile.h"
#include "model/direction.h"
#include "model/drift.h"
#include "model/link_share.h"
#include "model/map_view.h"
#include "model/model.h"
#include "model/verdicts.h"

namespace xpeer {

// Which lookup decided the route of the packets the router looked up, summed over CPUs.
struct RouteLookupStats {
    uint64_t compiled = 0;  // packets the VPCs' compiled lookups decided
    uint64_t tries = 0;     // packets the LPM tries decided: the VPC had no compiled lookup then, or they were off
    bool compiled_off = false;
};

// What an upgrade of the programs did: their ids before and after, the vSwitch veth ends whose
// program was swapped in one step, or attached because another was there (drift), and each map.
struct UpgradeResult {
    uint32_t old_router_id = 0, new_router_id = 0;
    size_t swapped = 0, attached = 0;
    bool resumed = false;          // it finished an upgrade that was killed after it began swapping
    ReconcileResult maps_written;  // entries written from the store, in the new maps and the kept ones
    std::vector<MapUpgrade> maps;  // kept, created, migrated, removed stale
};

// What the controller asks of the kernel side. KernelDataplane does it; DryRun describes it; unit tests
// use a recording fake. Every mutating call is idempotent, so that a command killed half-way is
// finished by the next one.
class Dataplane {
public:
    virtual ~Dataplane() = default;

    virtual void create_vpc(const Vpc& vpc) = 0;
    virtual void delete_vpc(const Vpc& vpc) = 0;
    // Makes the veth pair with its routing in the VPC and attaches the XDP programs.
    virtual PortInfo create_vswitch(const Vpc& vpc, const VSwitch& vsw) = 0;
    virtual void delete_vswitch(const Vpc& vpc, const VSwitch& vsw) = 0;
    virtual void add_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) = 0;
    virtual void remove_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) = 0;
    // Removes the addresses on the vSwitch's VPC end that none of `kept` holds: an instance
    // deleted by a command on another host, whose kernel only this host's agent reaches.
    virtual void remove_other_addresses(const Vpc& vpc, const VSwitch& vsw, const std::vector<Instance>& kept) = 0;

    // Compiles the snapshot and makes the maps hold exactly that.
    virtual ReconcileResult apply(const Snapshot& snapshot, const PortMap& ports) = 0;
    // What apply would change, without changing it.
    virtual ReconcileResult plan(const Snapshot& snapshot, const PortMap& ports) = 0;
    // Writes `delta`'s new values in apply's order (ports and peerings before the routes that
    // use them; routes removed before them). `over`, when not null: the tables after the delta
    // hold there every route that contains a changed one, so that the compiled lookups can be
    // patched in place rather than compiled afresh.
    virtual ReconcileResult apply_delta(const TablesDelta& delta, const Tables* over) = 0;
    // Set while the maps may hold entries no committed store says: before a command's first
    // incremental write, cleared once its transaction committed. Found set, it means a command
    // was killed in between, and the next one rewrites all maps (apply).
    virtual bool maps_dirty() = 0;
    virtual void set_maps_dirty(bool dirty) = 0;

    // Per-link counters of one peering slot and direction, summed over CPUs. A slot a new
    // connection takes starts from zero (datapath/reconcile.h).
    virtual LinkCounters link_counters(uint32_t slot, Direction direction) = 0;
    // This host's part of a link direction's bandwidth (nullopt: none, the connection's rate).
    virtual void set_link_share(uint32_t slot, Direction direction, const std::optional<LinkShare>& share) = 0;
    // Whether the programs and maps are there (false after a reboot or a teardown).
    virtual bool has_datapath() = 0;
    // What the router did with every packet it saw, by verdict, summed over CPUs.
    virtual VerdictCounts reason_counters() = 0;
    virtual RouteLookupStats route_lookup_stats() = 0;

    // The router's maps as the data plane defines them (`xpeer maps`).
    virtual std::vector<MapInfo> map_table() = 0;
    // Each map with the entries `scope` covers counted, and one map's entries in it, decoded
    // (ids, CIDRs, kinds by name, per-CPU counters summed). Reads only.
    virtual std::vector<MapSummary> map_summaries(const MapScope& scope) = 0;
    virtual MapContents map_entries(const std::string& name, const MapScope& scope) = 0;

    // Every way the kernel differs from the snapshot: namespaces, vSwitch veths and their
    // programs and source rules, map entries, and the mark of an interrupted command. Reads only.
    virtual std::vector<Difference> check(const Snapshot& snapshot, const PortMap& ports) = 0;
    // Loads this build's programs over the pinned maps of this build's layout and over new maps,
    // filled from the store, for the others (counters carried over; link counters that cannot be
    // are refused by name, nothing changed), and swaps them in on both ends of every vSwitch
    // veth, without a moment with no program: a running data plane upgraded with no packet lost.
    virtual UpgradeResult upgrade(const Snapshot& snapshot, const PortMap& ports) = 0;
    // An upgrade was killed before it finished: reconcile finishes it (upgrade resumes it).
    virtual bool upgrade_interrupted() { return false; }
    // Removes what a command killed before its transaction committed leaves: VPC namespaces of
    // this store's prefix that belong to none of `vpcs`, and in theirs, vSwitch veths and
    // source rules that belong to none of `vswitches`.
    virtual void remove_orphans(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) = 0;
    // Removes namespaces, links and pins of everything listed, and the datapath namespace.
    virtual void teardown(const std::vector<Vpc>& vpcs) = 0;
    // Attaches the decapsulation to this host's underlay interface (in the datapath namespace)
    // through a pinned link, as with the vSwitch veths; returns its ifindex.
    virtual uint32_t attach_underlay(const std::string& ifname) = 0;
    // A store id this process made up lost to another host's (Store.Conflict): the kernel
    // objects it claimed under that id are claimed again under the id the store has.
    virtual void release_claim(const std::string& store_id) { (void)store_id; }
};

}  // namespace xpeer
