#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/bandwidth_sharer.h"
#include "controller/command_transaction.h"
#include "controller/config.h"
#include "controller/dataplane.h"
#include "controller/dry_run.h"
#include "controller/lifecycle.h"
#include "controller/map_writer.h"
#include "controller/rollout.h"
#include "model/direction.h"
#include "model/errors.h"
#include "model/link_sample.h"
#include "model/model.h"
#include "store/store.h"
#include "sys/file_lock.h"
#include "telemetry/alerts.h"
#include "telemetry/billing.h"

namespace xpeer {

struct VpcSpec {
    std::string cidr;
    std::optional<std::string> ipv6_cidr;
    std::string region = "cn-hangzhou";
    std::string name;
};

// Only the fields given change (ModifyVpcAttribute). An IPv6 block is added to a VPC that has none.
struct VpcChange {
    std::optional<std::string> name;
    std::optional<std::string> ipv6_cidr;
};

struct VSwitchSpec {
    std::string vpc_id;
    std::string cidr;
    std::optional<std::string> ipv6_cidr;
    std::string name;
};

// What a host's agent registers: the host's name, region and underlay address.
struct HostSpec {
    std::string name;
    std::string region;
    IpAddr underlay;
    std::string underlay_ifname;          // in the datapath namespace: where other hosts' tunnels arrive
    int64_t underlay_bandwidth_mbps = 0;  // what the router may send on it, Platinum first; 0: not policed
};

// A host as `host list` shows it: the desired state's row and what its agent last said.
struct HostView {
    Host host;
    HostPresence presence;
    size_t vswitches = 0;
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

// Only the fields given change.
struct PeeringChange {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<int64_t> bandwidth_mbps;
    std::optional<std::string> link_type;
};

struct QuotaValue {
    std::string name;
    std::string description;
    int64_t default_value = 0;
    int64_t value = 0;
    std::string unit;
};

struct RouteSpec {
    std::string vpc_id;
    std::string destination;
    std::string next_hop;
};

struct AlertSpec {
    std::string peering;
    std::string metric;
    double threshold = 0;
    int64_t for_seconds = 60;
    std::string webhook;
};

// An alert that fired or resolved, for the agent to deliver.
struct AlertDelivery {
    alerts::Rule rule;
    AlertChange change;
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
    // The real kernel.
    explicit Controller(Config config);
    // Another data plane (unit tests); the controller owns it.
    Controller(Config config, std::unique_ptr<Dataplane> dataplane);

    // Messages for the user that do not stop the command (e.g. overlapping route entries).
    std::vector<std::string>& warnings() { return warnings_; }

    // From now on commands validate and describe their changes (changes(), dry_run_steps()) but
    // make none: the store is rolled back and the kernel is not touched.
    void set_dry_run();
    bool dry_run() const { return dry_run_ != nullptr; }
    const std::vector<Event>& changes() const { return changes_; }
    std::vector<std::string> dry_run_steps() const;
    // The next create with this token returns what the first create with it made.
    void set_client_token(std::string token) { client_token_ = std::move(token); }

    Vpc create_vpc(const VpcSpec&);
    void delete_vpc(const std::string& id);
    std::vector<Vpc> list_vpcs();  // owned and shared with the caller
    Vpc show_vpc(const std::string& id);
    // The owner renames the VPC and/or adds its IPv6 CIDR block. The block is a bound on its
    // vSwitches' IPv6 blocks and nothing in the kernel: a vSwitch made after it gets IPv6 as in a
    // VPC created with it (controller/vpc_modify.cpp).
    Vpc modify_vpc(const std::string& id, const VpcChange& change);
    // Shared VPC: principals may create vSwitches and instances in it, nothing else.
    void share_vpc(const std::string& id, AccountId principal);
    void unshare_vpc(const std::string& id, AccountId principal);
    std::vector<AccountId> vpc_principals(const std::string& id);

    VSwitch create_vswitch(const VSwitchSpec&);
    void delete_vswitch(const std::string& id);
    std::vector<VSwitch> list_vswitches(const std::optional<std::string>& vpc_id);
    VSwitch show_vswitch(const std::string& id);

    // Hosts (controller/hosts.cpp): the operator's, and their agents'.
    // Registers this machine's host (idempotent for the same name, region and address), binds the
    // replica to it, attaches the decapsulation to its underlay and programs the tunnels.
    Host register_host(const HostSpec&);
    std::vector<HostView> list_hosts();
    int64_t refresh_store();  // the revision of a shared store now read (0 for SQLite)
    // The kernel made to follow the store's newest revision (a shared store: another host's
    // commits); the revision it follows now.
    int64_t follow_store();

    Instance create_instance(const InstanceSpec&);
    void delete_instance(const std::string& id);
    std::vector<Instance> list_instances(const std::optional<std::string>& vswitch_id);
    Instance show_instance(const std::string& id);

    Peering create_peering(const PeeringSpec&);
    Peering accept_peering(const std::string& id);
    Peering reject_peering(const std::string& id);
    Peering modify_peering(const std::string& id, const PeeringChange&);
    void delete_peering(const std::string& id, bool force);
    std::vector<Peering> list_peerings();
    // Among hosts, warnings name the hosts an Updating connection waits for, and carriers without a lease.
    Peering show_peering(const std::string& id);
    // Among hosts: every Updating connection that each host carrying it has programmed becomes
    // Activated (the agents run it after each revision they program). Returns the hosts that
    // connection `id` still waits for.
    std::vector<rollout::Lag> settle_rollouts(const std::string& id = "");
    // Polls until the connection is `status`; Error("IncorrectStatus.VpcPeer") once it is in a
    // status it cannot leave for that one, Error("Timeout.VpcPeer") after `timeout`.
    Peering wait_peering(const std::string& id, PeeringStatus status, std::chrono::milliseconds timeout);
    // Requests pending for more than seven days become Expired (the agent's timer; every command
    // runs it first). Returns how many expired.
    size_t expire_pending();

    // The caller's quotas; the operator's view of `account`'s (a tenant may name only its own).
    std::vector<QuotaValue> list_quotas(std::optional<AccountId> account = std::nullopt);
    // The operator sets an account's quota; a tenant is Error("Forbidden.Operator").
    QuotaValue set_quota(AccountId account, const std::string& name, int64_t value);

    RouteEntry add_route(const RouteSpec&);
    // Many route entries through one next hop in one transaction (one event, one map update):
    // each follows add_route's rules; a bad one refuses them all, naming its line.
    size_t import_routes(const std::string& vpc_id, const std::string& next_hop, const std::vector<std::string>& destinations);
    void delete_route(const std::string& id);
    std::vector<RouteEntry> list_routes(const std::optional<std::string>& vpc_id);
    RouteEntry show_route(const std::string& id);

    // The caller's links; the operator's: every account's. Among hosts, each host counts what
    // its routers send: this host's kernel and what the others last published, summed.
    std::vector<LinkStats> link_stats(const std::optional<std::string>& pcc);
    // Reads the counters of every live connection (all accounts: the agent's view) and folds
    // them into the store: totals, and hourly usage for bills (which so sum every host's).
    std::vector<LinkSample> sample();
    // Among hosts: this host's totals (from sample()) where `stats` and `top` on others read them.
    void publish_links();
    // Among hosts: this host's part of each limited link it sends on together with other hosts,
    // from every such host's demand (controller/bandwidth_sharer.h), written to its router.
    std::vector<BandwidthSharer::LinkPart> share_bandwidth(const std::vector<LinkSample>& samples, std::chrono::milliseconds interval);
    // The caller's live links as the maps have them now (total: the raw counters), with deltas
    // against `previous` over `seconds`; nothing is written (top, beside a running agent).
    std::vector<LinkSample> watch_links(const std::vector<LinkSample>& previous, double seconds);
    // The caller's outbound inter-region traffic in [from, to) (unix seconds, hour resolution).
    std::vector<billing::Line> bill(std::optional<int64_t> from, std::optional<int64_t> to);
    // The price of every region pair and link type in force now, then those set to come.
    std::vector<billing::Price> list_prices();
    // The operator's (Config::is_operator); in force from the next full hour, earlier hours keep theirs.
    billing::Price set_price(const billing::Price& price);

    alerts::Rule create_alert(const AlertSpec&);
    std::vector<alerts::Rule> list_alerts();
    void delete_alert(const std::string& id);
    std::vector<AlertChange> alert_history(const std::string& id);
    // The agent: every rule against the latest samples; what fired or resolved.
    std::vector<AlertDelivery> evaluate_alerts(const std::vector<LinkSample>& samples);
    void record_delivery(const AlertChange& change);
    // Router-wide, every account's traffic in them: the operator's only (Error("Forbidden.Operator")).
    VerdictCounts reason_stats();
    RouteLookupStats route_lookup_stats();
    // The caller's events, and every event of a peering connection it is a party to.
    std::vector<Event> events(const std::string& resource);

    // `xpeer maps`: the router's maps with the entries of one VPC (--vpc) or one peering
    // connection (--peering) the caller sees counted, or every entry (the operator, neither);
    // and one map's entries in that scope, decoded. The router-wide maps are the operator's.
    std::vector<MapSummary> map_summaries(const std::optional<std::string>& vpc_id, const std::optional<std::string>& peering_id);
    MapContents map_entries(const std::string& name, const std::optional<std::string>& vpc_id,
                            const std::optional<std::string>& peering_id);

    // The namespace a command for this VPC runs in.
    std::string vpc_netns(const std::string& vpc_id);
    // Every way the kernel differs from the store (xpeer check). Waits for a running command.
    std::vector<Difference> check();
    // Rebuilds every kernel object from the store (after a reboot, a killed command, or drift):
    // what check found, the map entries written, and what check still finds after (nothing,
    // unless a repair failed).
    struct Repair {
        std::vector<Difference> found;
        ReconcileResult maps;
        std::vector<Difference> remaining;
    };
    Repair reconcile();
    // The operator's: this build's programs in place of the running ones, over the same maps,
    // with no packet lost (Dataplane::upgrade).
    UpgradeResult upgrade();
    // A command killed before it finished leaves its mark in xp_control, and maybe map entries
    // of a change the store never committed, links and rules: when the mark is set and no
    // command runs, reconcile. Every command runs this first. Returns what it repaired.
    std::vector<Difference> recover_interrupted();
    // Removes every kernel object of this store.
    void teardown();

    int64_t now() const;        // unix seconds; Config::now overrides the clock (tests, replays)
    int64_t wall_time() const;  // unix seconds of the real clock, what events record (Config::wall_now in tests)

private:
    // A VPC the caller owns; a VPC shared with it is Error("Forbidden.SharedVpc") naming `what`.
    Vpc owned_vpc(const std::string& id, const std::string& what);
    // A VPC the caller owns or is a principal of.
    Vpc usable_vpc(const std::string& id);
    std::optional<std::string> place_vswitch(const Vpc& vpc);
    void catch_up_kernel();
    bool usable(const std::string& vpc_id);
    // The VPC's owner may delete anything in it; a principal only what it created.
    void check_may_remove(const Vpc& vpc, AccountId creator, const std::string& id);
    VSwitch visible_vswitch(const std::string& id);
    // The entries of the maps the caller may read (controller/maps.cpp).
    MapScope map_scope(const std::optional<std::string>& vpc_id, const std::optional<std::string>& peering_id);
    Peering visible_peering(const std::string& id);
    // A connection the caller sees and may do `action` to now (lifecycle::check).
    Peering peering_for(const std::string& id, lifecycle::Action action);
    bool is_principal(const std::string& vpc_id);  // the caller is one of the VPC's principals
    // Error("Forbidden.Operator") unless the caller is the host's operator; `what` it may do.
    void check_operator(const std::string& what) const;
    // Refuses a store bound to other kernel objects than this command's flags name.
    void check_binding();
    // The first write binds the store to its bpffs folder and namespaces.
    void bind_config();
    // Rebuilds namespaces, links and maps if the kernel lost them (reboot, teardown).
    void ensure_kernel();
    void rebuild_kernel_objects();
    // Its link made if missing (its VPC's namespace made first), its instances' addresses as the
    // store has them; its port.
    PortInfo make_vswitch_here(const Vpc& vpc, const VSwitch& vsw);
    // Another host's commits, loaded since the kernel followed the store, as `lag` says they change it.
    void follow_lag(const KernelLag& lag);
    void remove_kernel_orphans();
    void record(const Event& e);
    // The link's counters folded into the store at now_ms; the delta since the last reading.
    LinkSample fold(const Peering& p, Direction direction, int64_t now_ms);
    int64_t now_ms() const;
    void transition(Peering& p, PeeringStatus to, const std::string& reason);
    // A connection's counters: this kernel's, and what `elsewhere` (the other hosts') counted.
    LinkCounters link_counters(const Peering& p, Direction d, const std::map<std::string, HostLinks>& elsewhere);
    std::map<std::string, HostLinks> counted_elsewhere();  // host_links() without this host's
    // An Updating connection's maps; on one machine it is then Activated (`done`: the event's reason).
    void program(Peering& p, const std::string& done);
    // Another id than `mine` is the store's now (a shared store: another process committed it).
    bool store_id_taken(const std::string& mine);
    // A store id this (outermost) command made up was rolled back with it: forgotten, with its
    // claim, for `previous`. Returns it; "" if the command made none up.
    std::string forget_made_up_store_id(const std::string& previous);
    // After the commit that made it Updating: settles until it is not, or for rollout_wait_ms
    // (then a warning names the hosts it waits for).
    Peering await_rollout(Peering p);
    std::string describe_lags(const std::vector<rollout::Lag>& lags, int64_t revision) const;
    std::vector<Peering> due_to_expire();  // Peer Accepting for more than seven days
    size_t expire_due();                   // inside a transaction
    int64_t quota(const std::string& name, AccountId account);
    // The default prices, then every price set (billing::price_at picks the one of an hour).
    std::vector<billing::Price> price_table();
    // Per-VPC quotas of both VPCs (each with its owner's value) and, for a new request
    // (exclude empty), the requester's per-account-and-region quota. `exclude` is not counted.
    void check_peering_quotas(const Vpc& vpc, const Vpc& peer, const std::string& exclude);
    // With a client token: the resource its first use made (same request), else nullopt.
    std::optional<std::string> replayed(const std::string& kind, const std::string& request);
    void remember_token(const std::string& kind, const std::string& request, const std::string& id);
    // Runs fn in one transaction; on failure rolls back and converges the kernel to the store.
    template <typename F>
    auto transact(F&& fn);
    // Runs fn holding the lock file that keeps commands that change the kernel one at a time.
    template <typename F>
    auto with_maps_lock(F&& fn);
    template <typename F>
    auto transact_locked(F&& fn);

    Config config_;
    std::unique_ptr<Store> owned_store_;
    Store& store_;
    MapWriter maps_{store_};  // if the command fails, the maps follow the rolled-back store
    std::unique_ptr<Dataplane> dataplane_;
    std::unique_ptr<DryRun> dry_run_;
    Dataplane* kernel_;  // dataplane_, or dry_run_ wrapping it
    std::vector<std::string> warnings_;
    std::string published_links_ = "-";  // publish_links()'s last, by what it held
    BandwidthSharer sharer_;             // share_bandwidth()'s
    std::vector<Event> changes_;         // events recorded by the commands of this controller
    std::optional<std::string> client_token_;
    CommandTransaction* command_ = nullptr;  // the transaction of the command running now
    bool recovering_ = false;
    bool maps_locked_ = false;  // transact holds the lock file
    size_t expired_ = 0;        // requests this controller's timer expired
};

template <typename F>
auto Controller::with_maps_lock(F&& fn) {
    // Taken once: a recovery runs a transaction inside another.
    std::optional<FileLock> maps_lock;
    const bool outermost = !maps_locked_;
    if (outermost) maps_lock.emplace(config_.state_path + ".lock");
    maps_locked_ = true;
    struct Unlocked {
        bool& locked;
        bool outermost;
        ~Unlocked() {
            if (outermost) locked = false;
        }
    } unlocked{maps_locked_, outermost};
    return fn();
}

template <typename F>
auto Controller::transact(F&& fn) {
    // From the store's write lock until the maps' dirty flag is cleared after the commit: the
    // flag is read, changed and written by one command at a time. A command whose commit
    // another host's overtook (Store.Conflict, with etcd) wrote nothing: it runs again, reading
    // the newer state.
    constexpr int kAttempts = 20;
    for (int attempt = 1;; ++attempt) {
        const size_t changes = changes_.size(), warnings = warnings_.size(), expired = expired_;
        const std::string store_id = config_.store_id;
        try {
            auto settled = [&] { config_.store_id_pending = false; };
            if constexpr (std::is_void_v<decltype(fn())>) {
                with_maps_lock([&] { transact_locked(fn); });
                settled();
                return;
            } else {
                auto result = with_maps_lock([&] { return transact_locked(fn); });
                settled();
                return result;
            }
        } catch (const Error& e) {
            // Another process's store id, committed meanwhile, may hold the bpffs folder already:
            // then this command lost the race to bind the store, and runs again with that id.
            const std::string made_up = forget_made_up_store_id(store_id);
            bool lost_race = false;
            if (!made_up.empty() && e.code() == errors::code::ConfigDatapathInUse) {
                try {
                    lost_race = store_id_taken(made_up);
                } catch (const std::exception&) {  // the store out of reach: the command's own error says enough
                }
            }
            if ((e.code() != errors::code::StoreConflict && !lost_race) || command_) throw;
            if (attempt == kAttempts)
                throw errors::store_conflict(std::string(e.what()) + " (tried " + std::to_string(kAttempts) +
                                             " times, overtaken each time)");
            changes_.resize(changes);
            warnings_.resize(warnings);
            expired_ = expired;
        } catch (...) {
            forget_made_up_store_id(store_id);
            throw;
        }
    }
}

template <typename F>
auto Controller::transact_locked(F&& fn) {
    try {
        CommandTransaction command(store_, maps_);  // rolled back on leaving this scope uncommitted
        struct Current {
            CommandTransaction*& slot;
            CommandTransaction* outer;
            ~Current() { slot = outer; }
        } current{command_, std::exchange(command_, &command)};
        bind_config();
        maps_.begin(*kernel_);
        ensure_kernel();
        catch_up_kernel();
        expire_due();
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            command.commit(dry_run());
        } else {
            auto result = fn();
            command.commit(dry_run());
            return result;
        }
    } catch (const Error&) {
        throw;  // rolled back by now: the store, the kernel steps, then the maps
    } catch (const std::exception& failure) {
        if (recovering_) throw;
        // A system failure may have left more than the undo steps know, or come from drift (a
        // namespace or link removed outside xpeer): the kernel is made to follow the store again.
        recovering_ = true;
        std::optional<Repair> repair;
        try {
            repair = reconcile();
        } catch (...) {
        }
        recovering_ = false;
        if (!repair || repair->found.empty() || !repair->remaining.empty()) throw;
        throw errors::kernel_repaired(std::string(failure.what()) + "; the kernel had drifted from the store (" +
                                      repair->found.front().object + ": " + repair->found.front().problem + ", and " +
                                      std::to_string(repair->found.size() - 1) +
                                      " more), which is repaired now: nothing was changed, run the command again");
    }
}

}  // namespace xpeer
