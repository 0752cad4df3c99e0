#pragma once
#include <sys/types.h>

#include <optional>

#include "compiler/tables.h"
#include "controller/config.h"
#include "controller/dataplane.h"
#include "datapath/bpf_router.h"
#include "datapath/reconcile.h"
#include "model/model.h"
#include "netns/links.h"

namespace xpeer {

// Where a vSwitch's link lives and how it is set up, from the config and the store.
links::VswitchVethSpec vswitch_link_spec(const Config& c, const Vpc& vpc, const VSwitch& vsw);

// The kernel side of every command: namespaces, vSwitch veths, addresses, the BPF maps.
class KernelDataplane : public Dataplane {
public:
    // Keeps a reference: the controller fills in config.store_id when the store is bound.
    explicit KernelDataplane(const Config& config) : config_(config) {}

    void create_vpc(const Vpc& vpc) override;
    void delete_vpc(const Vpc& vpc) override;
    PortInfo create_vswitch(const Vpc& vpc, const VSwitch& vsw) override;
    void delete_vswitch(const Vpc& vpc, const VSwitch& vsw) override;
    void add_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) override;
    void remove_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) override;
    void remove_other_addresses(const Vpc& vpc, const VSwitch& vsw, const std::vector<Instance>& kept) override;
    ReconcileResult apply(const Snapshot& snapshot, const PortMap& ports) override;
    ReconcileResult plan(const Snapshot& snapshot, const PortMap& ports) override;  // no maps pinned: all added
    ReconcileResult apply_delta(const TablesDelta& delta, const Tables* over) override;
    bool maps_dirty() override;
    void set_maps_dirty(bool dirty) override;
    LinkCounters link_counters(uint32_t slot, Direction direction) override;
    void set_link_share(uint32_t slot, Direction direction, const std::optional<LinkShare>& share) override;
    bool has_datapath() override { return router_if_loaded().has_value(); }
    VerdictCounts reason_counters() override;  // every verdict, zero without a data plane
    RouteLookupStats route_lookup_stats() override;
    std::vector<MapInfo> map_table() override;
    std::vector<MapSummary> map_summaries(const MapScope& scope) override;
    MapContents map_entries(const std::string& name, const MapScope& scope) override;
    std::vector<Difference> check(const Snapshot& snapshot, const PortMap& ports) override;
    UpgradeResult upgrade(const Snapshot& snapshot, const PortMap& ports) override;
    bool upgrade_interrupted() override;
    void remove_orphans(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) override;
    void teardown(const std::vector<Vpc>& vpcs) override;
    uint32_t attach_underlay(const std::string& ifname) override;
    void release_claim(const std::string& store_id) override;

    BpfRouter& router();
    std::optional<BpfRouter>& router_if_loaded();

private:
    // A store owns its bpffs folder: two stores programming one set of maps would delete each
    // other's entries and share VPC keys. The owner is a folder "owner-STORE_ID" inside it.
    void claim(const std::string& dir);

    const Config& config_;
    void forget_replaced_pins();

    std::optional<BpfRouter> router_;
    bool router_opened_ = false;
    ino_t router_pin_ = 0;  // the router program pin's inode when router_ was opened
};

}  // namespace xpeer
