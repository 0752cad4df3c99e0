#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "controller/config.h"
#include "controller/kernel.h"
#include "model/error.h"
#include "model/model.h"
#include "store/store.h"

namespace xpeer {

struct VpcSpec {
    std::string cidr;
    std::optional<std::string> ipv6_cidr;
    std::string region = "cn-hangzhou";
    std::string name;
};

struct VSwitchSpec {
    std::string vpc_id;
    std::string cidr;
    std::optional<std::string> ipv6_cidr;
    std::string name;
};

struct InstanceSpec {
    std::string vswitch_id;
    std::optional<std::string> ip;
    std::optional<std::string> ipv6;
};

struct PeeringSpec {
    std::string vpc_id;
    std::string peer_vpc_id;
    std::optional<AccountId> peer_account;
    std::optional<std::string> peer_region;
    std::optional<int64_t> bandwidth_mbps;
    std::optional<std::string> link_type;
    std::string name;
    std::string description;
};

struct RouteSpec {
    std::string vpc_id;
    std::string destination;
    std::string next_hop;
};

struct LinkStats {
    Peering peering;
    LinkCounters a_to_b;  // requester -> accepter
    LinkCounters b_to_a;
};

// Every command: validate, authorize (the caller's account), change the store and the kernel
// in one transaction. A refused command changes nothing; a failed kernel step rolls the store
// back and converges the kernel to it.
class Controller {
public:
    explicit Controller(Config config);

    // Messages for the user that do not stop the command (e.g. overlapping route entries).
    std::vector<std::string>& warnings() { return warnings_; }

    Vpc create_vpc(const VpcSpec&);
    void delete_vpc(const std::string& id);
    std::vector<Vpc> list_vpcs();
    Vpc show_vpc(const std::string& id);

    VSwitch create_vswitch(const VSwitchSpec&);
    void delete_vswitch(const std::string& id);
    std::vector<VSwitch> list_vswitches(const std::optional<std::string>& vpc_id);
    VSwitch show_vswitch(const std::string& id);

    Instance create_instance(const InstanceSpec&);
    void delete_instance(const std::string& id);
    std::vector<Instance> list_instances(const std::optional<std::string>& vswitch_id);
    Instance show_instance(const std::string& id);

    Peering create_peering(const PeeringSpec&);
    void delete_peering(const std::string& id, bool force);
    std::vector<Peering> list_peerings();
    Peering show_peering(const std::string& id);

    RouteEntry add_route(const RouteSpec&);
    void delete_route(const std::string& id);
    std::vector<RouteEntry> list_routes(const std::optional<std::string>& vpc_id);
    RouteEntry show_route(const std::string& id);

    std::vector<LinkStats> link_stats(const std::optional<std::string>& pcc);
    std::vector<xp_counters> reason_stats();
    std::vector<Event> events(const std::string& resource);

    // The namespace a command for this VPC runs in.
    std::string vpc_netns(const std::string& vpc_id);
    // Rebuilds every kernel object from the store (after a reboot or a killed command).
    ReconcileResult reconcile();
    // Removes every kernel object of this store.
    void teardown();

private:
    Vpc visible_vpc(const std::string& id);
    VSwitch visible_vswitch(const std::string& id);
    Peering visible_peering(const std::string& id);
    // Refuses a store bound to other kernel objects than this command's flags name.
    void check_binding();
    // The first write binds the store to its bpffs folder and namespaces.
    void bind_config();
    // Rebuilds namespaces, links and maps if the kernel lost them (reboot, teardown).
    void ensure_kernel();
    void rebuild_kernel_objects();
    void run_undo();
    // Unix seconds; Config::now overrides the clock (tests, replays).
    int64_t now() const;
    void transition(Peering& p, PeeringStatus to, const std::string& reason);
    // Compiles the store into the maps; if the command fails, the maps follow the rolled-back store.
    ReconcileResult apply_maps();
    // Runs fn in one transaction; on failure rolls back and converges the kernel to the store.
    template <typename F>
    auto transact(F&& fn);

    Config config_;
    Store store_;
    Kernel kernel_;
    std::vector<std::string> warnings_;
    std::vector<std::function<void()>> undo_;  // kernel steps of the current transaction, reversed on failure
    bool maps_touched_ = false;
    bool recovering_ = false;
};

template <typename F>
auto Controller::transact(F&& fn) {
    undo_.clear();
    maps_touched_ = false;
    try {
        auto tx = store_.begin();
        bind_config();
        ensure_kernel();
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            tx.commit();
            undo_.clear();
        } else {
            auto result = fn();
            tx.commit();
            undo_.clear();
            return result;
        }
    } catch (const Error&) {
        run_undo();  // the store is rolled back by now
        throw;
    } catch (...) {
        run_undo();
        if (!recovering_) {
            recovering_ = true;
            try {
                reconcile();  // a system failure may have left more than the undo steps know
            } catch (...) {
            }
            recovering_ = false;
        }
        throw;
    }
}

}  // namespace xpeer
