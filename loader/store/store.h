#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model/direction.h"
#include "model/host_demand.h"
#include "model/model.h"
#include "model/port.h"
#include "model/scope.h"
#include "telemetry/alerts.h"
#include "telemetry/billing.h"

namespace xpeer {

struct ClientToken {
    AccountId account = 0;
    std::string token;
    std::string kind;     // vpc, vswitch, instance, peering, route
    std::string request;  // the create's parameters, canonical: a retry must repeat them
    std::string resource_id;
};

// The agent's last reading of a link direction: the raw counters as the map had them, and the
// total of every delta since the connection began (it survives counter restarts).
struct LinkReading {
    std::string pcc;
    Direction direction = Direction::AToB;
    int64_t time_ms = 0;
    LinkCounters raw;
    LinkCounters total;
};

// Traffic of a link direction in one hour (unix seconds / 3600).
struct UsageRow {
    std::string pcc;
    Direction direction = Direction::AToB;
    int64_t hour = 0;
    uint64_t packets = 0;
    uint64_t bytes = 0;
};

struct AlertChange {
    int64_t seq = 0;  // its row, once recorded
    std::string alert_id;
    int64_t time = 0;
    std::string change;  // Fired, Resolved
    double value = 0;
    std::string delivery;  // "", "webhook: 200", "webhook: connection refused"
};

// A host's agent as the shared store last heard of it.
struct HostPresence {
    bool alive = false;               // its lease is held: the agent runs and reaches the store
    int64_t programmed_revision = 0;  // the store's revision its data plane follows; 0: never reported
    int64_t pid = 0;                  // the agent's process on that host
};

// What a host's agent last published of its own links: each connection's counters on that host,
// in each direction, since the connection came to it (link_readings' totals).
struct HostLinks {
    int64_t time_ms = 0;
    std::map<std::pair<std::string, Direction>, LinkCounters> totals;  // (pcc, direction)
};

// The rows of a store that some map entries come from, and the links of their vSwitches.
struct ScopedSnapshot {
    Snapshot snapshot;
    PortMap ports;
};

inline constexpr const char* kLocalHostSetting = "host";
inline constexpr const char* kUnderlayIfindexSetting = "underlay_ifindex";
inline constexpr const char* kUnderlayBandwidthSetting = "underlay_bandwidth_mbps";

// The desired state: every resource, its history, telemetry and settings. One backend per
// process and store; a command runs in one Transaction, which sees only its own changes until it
// commits. SQLite (store/sqlite_store.h) is the embedded one.
// What another host's commits change in this host's kernel.
struct KernelLag {
    Scope maps;                            // the map entries
    std::set<std::string> vswitches_here;  // this host's vSwitches whose link or addresses change
    bool empty() const { return maps.empty() && vswitches_here.empty(); }
};

class Store {
public:
    virtual ~Store() = default;

    // Opened by begin(); rolled back on destruction unless committed.
    class Transaction {
    public:
        Transaction(Transaction&& other) noexcept : store_(std::exchange(other.store_, nullptr)) {}
        Transaction& operator=(Transaction&&) = delete;
        ~Transaction() {
            if (store_) store_->rollback_transaction();
        }
        void commit() {
            if (!store_) throw std::logic_error("Store::Transaction::commit: already committed");
            Store* store = std::exchange(store_, nullptr);
            store->commit_transaction();
        }

    private:
        friend class Store;
        explicit Transaction(Store& store) : store_(&store) {}
        Store* store_;
    };
    Transaction begin() {
        begin_transaction();
        return Transaction(*this);
    }

    // The store as last committed: while this one's transaction is open, it does not see that
    // transaction's changes.
    virtual Store& committed() = 0;

    virtual std::optional<std::string> setting(const std::string& key) = 0;
    virtual void set_setting(const std::string& key, const std::string& value) = 0;
    // This host, as its agent bound the replica (settings kLocalHostSetting,
    // kUnderlayIfindexSetting and kUnderlayBandwidthSetting, host-local: never in etcd).
    LocalHost local_host() {
        LocalHost l;
        l.name = setting(kLocalHostSetting).value_or("");
        if (auto ifindex = setting(kUnderlayIfindexSetting)) l.underlay_ifindex = static_cast<uint32_t>(std::stoul(*ifindex));
        if (auto mbps = setting(kUnderlayBandwidthSetting)) l.underlay_bandwidth_mbps = std::stoll(*mbps);
        return l;
    }

    virtual void ensure_account(AccountId account) = 0;
    virtual std::vector<AccountId> accounts() = 0;

    // Assigns vpc.key: never reused, even after the VPC is deleted.
    virtual void insert(Vpc& vpc) = 0;
    virtual std::optional<Vpc> find_vpc(const std::string& id) = 0;
    virtual std::vector<Vpc> vpcs() = 0;
    virtual std::vector<Vpc> vpcs_of_account(AccountId account) = 0;
    virtual bool has_vpcs() = 0;
    // The attributes a VPC may change (ModifyVpcAttribute): its name and IPv6 CIDR block.
    virtual void update_vpc(const Vpc& vpc) = 0;
    // The controller refuses a delete while the VPC (vSwitch) has children; a child without its
    // parent is Error("Store.Constraint") underneath.
    virtual void delete_vpc(const std::string& id) = 0;

    // Assigns vsw.number: the smallest not used by a live vSwitch.
    virtual void insert(VSwitch& vsw) = 0;
    virtual std::optional<VSwitch> find_vswitch(const std::string& id) = 0;
    virtual std::vector<VSwitch> vswitches() = 0;
    virtual std::vector<VSwitch> vswitches_of(const std::string& vpc_id) = 0;
    virtual void delete_vswitch(const std::string& id) = 0;  // also forgets its port
    // The kernel link of a vSwitch, recorded when it is made.
    virtual void set_vswitch_port(const std::string& vswitch_id, const PortInfo& port) = 0;
    virtual PortMap vswitch_ports() = 0;
    virtual PortMap vswitch_ports(const std::vector<VSwitch>& of) = 0;

    // Hosts, in a store several machines share (etcd): registered by their agents, never removed
    // while a vSwitch lives on them.
    virtual void insert(const Host& host) = 0;
    virtual std::optional<Host> find_host(const std::string& name) = 0;
    virtual std::optional<Host> host_with_underlay(const IpAddr& address) = 0;
    virtual std::vector<Host> hosts() = 0;
    virtual std::vector<VSwitch> vswitches_on(const std::string& host) = 0;
    // What the hosts' agents say about themselves, outside the desired state: whether each one's
    // lease is alive, and the revision of the store it has programmed. None in a store of one machine.
    virtual std::map<std::string, HostPresence> host_presence() { return {}; }
    // Each host counts what its routers send: the totals each host published, by host name, and
    // this host's to publish. None in a store of one machine, whose kernel counts everything.
    virtual std::map<std::string, HostLinks> host_links() { return {}; }
    virtual void publish_links(const std::string& /*host*/, const HostLinks& /*links*/) {}
    // The demand each named host's agent last published on the links it sends on together with
    // other hosts, by host name (a host that never published has none), and this host's to publish.
    virtual std::map<std::string, HostDemand> host_demand(const std::set<std::string>& /*hosts*/) { return {}; }
    virtual void publish_demand(const std::string& /*host*/, const HostDemand& /*demand*/) {}
    // A store several machines share: its revision this process has read (0 for SQLite), and
    // the store brought up to its newest revision.
    virtual int64_t refresh() { return 0; }
    virtual int64_t revision() const { return 0; }  // the revision the last transaction read or wrote
    // The newest commit the replica holds: a host whose programmed revision is at least this one
    // has programmed everything this process sees (0 for SQLite).
    virtual int64_t commit_revision() { return 0; }
    // The commit that last wrote the connection's row: a host that programmed it has programmed
    // the connection as it is (0 for SQLite).
    virtual int64_t peering_revision(const std::string& /*id*/) { return 0; }
    // In a transaction: whether the store holds rows the kernel's maps were not made to follow
    // (a shared store loaded another host's changes), and, once they are, that they do.
    virtual bool kernel_behind() { return false; }
    virtual void kernel_caught_up() {}
    // With kernel_behind(): what the rows loaded since change in this host's kernel, or nullopt
    // when the store cannot tell (then everything is made to follow it).
    virtual std::optional<KernelLag> kernel_lag() { return std::nullopt; }
    // fn, reading the rows kernel_lag() covers as the kernel follows them; nothing it reads is
    // kept, and the transaction records nothing of it.
    virtual void as_kernel_follows(const std::function<void()>& fn) { fn(); }

    virtual void insert(const Instance& inst) = 0;
    virtual std::optional<Instance> find_instance(const std::string& id) = 0;
    virtual std::vector<Instance> instances() = 0;
    virtual std::vector<Instance> instances_of(const std::string& vswitch_id) = 0;
    virtual void delete_instance(const std::string& id) = 0;

    // Assigns p.slot: the smallest not used by a connection that is not Deleted.
    // Connections are never removed: a Deleted one keeps its history and final counters.
    virtual void insert(Peering& p) = 0;
    virtual std::optional<Peering> find_peering(const std::string& id) = 0;
    virtual std::vector<Peering> peerings() = 0;                                   // all, Deleted included
    virtual std::vector<Peering> live_peerings() = 0;                              // not Deleted
    virtual std::vector<Peering> live_peerings_of(const std::string& vpc_id) = 0;  // at either end
    // How many connections the account requested in the region, by status (Deleted included).
    virtual std::map<PeeringStatus, int64_t> peering_counts(AccountId account, const std::string& region) = 0;
    virtual std::vector<Peering> peerings_of_party(AccountId account) = 0;  // requester or accepter, Deleted included
    virtual std::vector<Peering> peerings_created_before(PeeringStatus status, int64_t time) = 0;
    virtual void set_peering_status(const std::string& id, PeeringStatus status) = 0;
    virtual void update_peering(const Peering& p) = 0;  // every field but id and slot
    virtual void archive_counters(const std::string& pcc, Direction direction, const LinkCounters& counters) = 0;
    virtual std::optional<LinkCounters> archived_counters(const std::string& pcc, Direction direction) = 0;

    // A route without an id gets one derived from its key (model/route_id.h); one with an id keeps
    // it. Returns the id. Keys are never reused, so neither are derived ids.
    virtual std::string insert(const RouteEntry& r) = 0;
    virtual void insert(std::vector<RouteEntry>& routes) = 0;  // many at once, one prepared statement; fills in the ids
    virtual std::optional<RouteEntry> find_route(const std::string& id) = 0;
    virtual std::vector<RouteEntry> routes() = 0;
    virtual std::vector<RouteEntry> routes_of_vpc(const std::string& vpc_id) = 0;
    virtual std::optional<RouteEntry> any_route_of_vpc(const std::string& vpc_id) = 0;
    virtual std::vector<RouteEntry> routes_to(const std::string& vpc_id, const Cidr& destination) = 0;
    virtual std::vector<std::string> route_destinations(const std::string& vpc_id) = 0;  // as stored: Cidr::str()
    virtual std::vector<RouteEntry> routes_via(const std::string& pcc_id) = 0;
    virtual void delete_route(const std::string& id) = 0;

    virtual void record(const Event& e) = 0;
    // Ordered by time, then insertion. A non-empty filter keeps the events of resources whose id
    // starts with it: a whole id, or a prefix such as "pcc-".
    virtual std::vector<Event> events(const std::string& resource_filter = "") = 0;

    // Quotas an account has set (name -> value); the defaults live in controller/quotas.h.
    virtual std::optional<int64_t> quota(AccountId account, const std::string& name) = 0;
    virtual void set_quota(AccountId account, const std::string& name, int64_t value) = 0;

    // Principal accounts a VPC is shared with (sorted), and the VPCs shared with an account.
    virtual std::vector<AccountId> principals(const std::string& vpc_id) = 0;
    virtual std::vector<Vpc> vpcs_shared_with(AccountId account) = 0;
    virtual void share(const std::string& vpc_id, AccountId account) = 0;    // idempotent
    virtual void unshare(const std::string& vpc_id, AccountId account) = 0;  // idempotent

    // What a create with a client token made, so that a retry returns it instead of a second one.
    virtual std::optional<ClientToken> client_token(AccountId account, const std::string& token) = 0;
    virtual void insert(const ClientToken& t) = 0;

    virtual std::optional<LinkReading> link_reading(const std::string& pcc, Direction direction) = 0;
    virtual void put(const LinkReading& r) = 0;
    virtual void add_usage(const UsageRow& delta) = 0;                            // adds to the hour's row
    virtual std::vector<UsageRow> usage(int64_t from_hour, int64_t to_hour) = 0;  // [from, to)

    virtual std::vector<billing::Price> prices() = 0;  // every price set, the oldest effective_from first
    // Adds to the pair's history (regions in either order); replaces one with the same effective_from.
    virtual void set_price(const billing::Price& p) = 0;

    virtual void insert(const alerts::Rule& r) = 0;
    virtual std::vector<alerts::Rule> alert_rules() = 0;
    virtual std::optional<alerts::Rule> find_alert(const std::string& id) = 0;
    virtual void delete_alert(const std::string& id) = 0;
    virtual alerts::State alert_state(const std::string& id) = 0;
    virtual void set_alert_state(const std::string& id, const alerts::State& s) = 0;
    virtual int64_t record(const AlertChange& c) = 0;  // returns its seq
    virtual void set_delivery(int64_t seq, const std::string& delivery) = 0;
    virtual std::vector<AlertChange> alert_history(const std::string& alert_id) = 0;

    virtual Snapshot snapshot() = 0;  // live peerings only
    // What compile_scope(scope) needs, and no more: the scope's vSwitches, every vSwitch of a VPC
    // with one of its prefixes (a system route wins over a route entry with its key), the route
    // entries of its prefixes, its live peerings and those the routes name, every VPC these name.
    virtual ScopedSnapshot snapshot_of(const Scope& scope) = 0;

    // Whether any resource, live or gone (events remember them), has this id.
    virtual bool id_exists(const std::string& id) = 0;

protected:
    virtual void begin_transaction() = 0;
    virtual void commit_transaction() = 0;
    virtual void rollback_transaction() noexcept = 0;  // only an open transaction
};

using Transaction = Store::Transaction;

}  // namespace xpeer
