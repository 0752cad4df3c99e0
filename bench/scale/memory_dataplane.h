#pragma once
// A data plane of memory only, for the scale simulation (tools/bench scale): the maps a host
// would hold, kept as compiled tables; no namespace, link, program or counter.
#include "controller/dataplane.h"

namespace xpeer::scale {

class MemoryDataplane final : public Dataplane {
public:
    // datapath false: a machine that runs commands only (it follows no store revision).
    explicit MemoryDataplane(bool datapath) : datapath_(datapath) {}

    const Tables& maps() const { return maps_; }
    size_t deltas() const { return deltas_; }
    size_t rebuilds() const { return rebuilds_; }

    void create_vpc(const Vpc&) override {}
    void delete_vpc(const Vpc&) override {}
    PortInfo create_vswitch(const Vpc&, const VSwitch& vsw) override;
    void delete_vswitch(const Vpc&, const VSwitch& vsw) override { links_.erase(vsw.id); }
    void add_instance(const Vpc&, const VSwitch&, const Instance&) override {}
    void remove_instance(const Vpc&, const VSwitch&, const Instance&) override {}
    void remove_other_addresses(const Vpc&, const VSwitch&, const std::vector<Instance>&) override {}
    ReconcileResult apply(const Snapshot& snapshot, const PortMap& ports) override;
    ReconcileResult plan(const Snapshot& snapshot, const PortMap& ports) override;
    ReconcileResult apply_delta(const TablesDelta& delta, const Tables* over) override;
    bool maps_dirty() override { return dirty_; }
    void set_maps_dirty(bool dirty) override { dirty_ = dirty; }
    LinkCounters link_counters(uint32_t, Direction) override { return {}; }
    void set_link_share(uint32_t, Direction, const std::optional<LinkShare>&) override {}
    bool has_datapath() override { return datapath_; }
    VerdictCounts reason_counters() override { return {}; }
    RouteLookupStats route_lookup_stats() override { return {}; }
    std::vector<MapInfo> map_table() override { return {}; }
    std::vector<MapSummary> map_summaries(const MapScope&) override { return {}; }
    MapContents map_entries(const std::string&, const MapScope&) override { return {}; }
    std::vector<Difference> check(const Snapshot& snapshot, const PortMap& ports) override;
    UpgradeResult upgrade(const Snapshot&, const PortMap&) override { return {}; }
    void remove_orphans(const std::vector<Vpc>&, const std::vector<VSwitch>&) override {}
    void teardown(const std::vector<Vpc>&) override { maps_ = {}; }
    uint32_t attach_underlay(const std::string&) override { return 2; }

private:
    bool datapath_;
    bool dirty_ = false;
    Tables maps_;
    std::map<std::string, uint32_t> links_;  // vSwitch id -> ifindex, as a kernel keeps a link's
    uint32_t next_ifindex_ = 10;
    size_t deltas_ = 0, rebuilds_ = 0;
};

}  // namespace xpeer::scale
