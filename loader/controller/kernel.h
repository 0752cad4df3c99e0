#pragma once
#include <optional>

#include "compiler/tables.h"
#include "controller/config.h"
#include "datapath/datapath.h"
#include "datapath/reconcile.h"
#include "model/model.h"

namespace xpeer {

// The kernel side of every command: namespaces, vSwitch links, addresses, the BPF maps.
// Each call is idempotent, so that a command killed half-way is finished by the next one.
class Kernel {
public:
    // Keeps a reference: the controller fills in config.store_id when the store is bound.
    explicit Kernel(const Config& config) : config_(config) {}

    void create_vpc(const Vpc& vpc);
    void delete_vpc(const Vpc& vpc);
    // Makes the veth pair with its routing in the VPC and attaches the XDP programs.
    PortInfo create_vswitch(const Vpc& vpc, const VSwitch& vsw);
    void delete_vswitch(const Vpc& vpc, const VSwitch& vsw);
    void add_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst);
    void remove_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst);

    // Compiles the snapshot and makes the maps hold exactly that.
    ReconcileResult apply(const Snapshot& snapshot, const PortMap& ports);

    // Per-link counters of one peering slot and direction, summed over CPUs.
    LinkCounters link_counters(uint32_t slot, int direction);
    void clear_link_counters(uint32_t slot);
    void clear_port_counters(uint32_t vswitch_slot);
    // Whether the programs and maps are pinned (false after a reboot or a teardown).
    bool has_datapath() { return datapath_if_loaded().has_value(); }
    std::vector<xp_counters> reason_counters();

    // Removes what a command killed before its transaction committed leaves: VPC namespaces of
    // this store's prefix that belong to none of `vpcs`, and in theirs, vSwitch links and
    // source rules that belong to none of `vswitches`.
    void remove_orphans(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches);
    // Removes namespaces, links and pins of everything listed, and the datapath namespace.
    void teardown(const std::vector<Vpc>& vpcs);

    Datapath& datapath();
    std::optional<Datapath>& datapath_if_loaded();

private:
    // A store owns its bpffs folder: two stores programming one set of maps would delete each
    // other's entries and share VPC keys. The owner is a folder "owner-STORE_ID" inside it.
    void claim(const std::string& dir);

    const Config& config_;
    std::optional<Datapath> dp_;
    bool dp_opened_ = false;
};

}  // namespace xpeer
