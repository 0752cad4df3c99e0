#pragma once
#include <string>
#include <vector>

#include "controller/dataplane.h"

namespace xpeer {

// The data plane of `--dry-run`: reads go to the kernel, every change is described instead of
// made. A vSwitch that does not exist yet has no link, so its map entries are not counted.
class DryRun : public Dataplane {
public:
    explicit DryRun(Dataplane& kernel) : kernel_(kernel) {}

    // What the command would have done to the kernel, in order.
    const std::vector<std::string>& steps() const { return steps_; }

    void create_vpc(const Vpc& vpc) override;
    void delete_vpc(const Vpc& vpc) override;
    PortInfo create_vswitch(const Vpc& vpc, const VSwitch& vsw) override;
    void delete_vswitch(const Vpc& vpc, const VSwitch& vsw) override;
    void add_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) override;
    void remove_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) override;
    void remove_other_addresses(const Vpc&, const VSwitch&, const std::vector<Instance>&) override {}  // nothing is removed
    ReconcileResult apply(const Snapshot& snapshot, const PortMap& ports) override;
    ReconcileResult plan(const Snapshot& snapshot, const PortMap& ports) override { return kernel_.plan(snapshot, ports); }
    ReconcileResult apply_delta(const TablesDelta& delta, const Tables* over) override;
    bool maps_dirty() override { return kernel_.maps_dirty(); }
    void set_maps_dirty(bool) override {}  // nothing is written, so nothing is left dirty
    LinkCounters link_counters(uint32_t slot, Direction direction) override { return kernel_.link_counters(slot, direction); }
    void set_link_share(uint32_t, Direction, const std::optional<LinkShare>&) override {}  // the agent's, never a command's
    bool has_datapath() override { return true; }                                          // a dry run rebuilds nothing
    VerdictCounts reason_counters() override { return kernel_.reason_counters(); }
    RouteLookupStats route_lookup_stats() override { return kernel_.route_lookup_stats(); }
    std::vector<MapInfo> map_table() override { return kernel_.map_table(); }
    std::vector<MapSummary> map_summaries(const MapScope& scope) override { return kernel_.map_summaries(scope); }
    MapContents map_entries(const std::string& name, const MapScope& scope) override { return kernel_.map_entries(name, scope); }
    std::vector<Difference> check(const Snapshot& snapshot, const PortMap& ports) override { return kernel_.check(snapshot, ports); }
    UpgradeResult upgrade(const Snapshot& snapshot, const PortMap& ports) override;
    void remove_orphans(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) override;
    void teardown(const std::vector<Vpc>& vpcs) override;
    uint32_t attach_underlay(const std::string& ifname) override;

private:
    void describe_maps(const ReconcileResult& r);

    Dataplane& kernel_;
    std::vector<std::string> steps_;
    ReconcileResult delta_total_;  // of this command's apply_delta calls
};

}  // namespace xpeer
