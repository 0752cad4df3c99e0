#pragma once
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/direction.h"
#include "model/model.h"
#include "model/port.h"
#include "model/scope.h"
#include "telemetry/alerts.h"
#include "telemetry/billing.h"

struct sqlite3;

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

// A failure of SQLite itself (I/O, lock timeout, corrupt file): the statement and sqlite3_errmsg.
// Rule violations are xpeer::Error instead (a constraint failure is Error("Store.Constraint")).
class StoreError : public std::runtime_error {
public:
    StoreError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int sqlite_code() const { return code_; }

private:
    int code_;
};

// The rows of a store that some map entries come from, and the links of their vSwitches.
struct ScopedSnapshot {
    Snapshot snapshot;
    PortMap ports;
};

// The desired state in one SQLite file. Not thread-safe; one Store per process and file.
// Writers from several processes serialize on BEGIN IMMEDIATE (busy timeout 10 s).
class Store {
public:
    static constexpr int kSchemaVersion = 6;

    enum class Access { ReadWrite, ReadOnly };

    // Creates the parent directories and the schema if needed; throws Error("Store.SchemaVersion")
    // for a file written by a newer xpeer. ReadOnly opens an existing store as it is.
    explicit Store(const std::string& path, Access access = Access::ReadWrite);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // BEGIN IMMEDIATE on creation; rolled back on destruction unless committed.
    class Transaction {
    public:
        Transaction(Transaction&& other) noexcept;
        Transaction& operator=(Transaction&&) = delete;
        ~Transaction();
        void commit();

    private:
        friend class Store;
        explicit Transaction(Store& store);
        Store* store_;
    };
    Transaction begin();

    const std::string& path() const { return path_; }

    // The store as last committed, through a second connection: while this one's transaction is
    // open, it does not see that transaction's changes (WAL). Opened on first use.
    Store& committed();

    std::optional<std::string> setting(const std::string& key);
    void set_setting(const std::string& key, const std::string& value);

    void ensure_account(AccountId account);
    std::vector<AccountId> accounts();

    // Assigns vpc.key: never reused, even after the VPC is deleted.
    void insert(Vpc& vpc);
    std::optional<Vpc> find_vpc(const std::string& id);
    std::vector<Vpc> vpcs();
    std::vector<Vpc> vpcs_of_account(AccountId account);
    bool has_vpcs();
    void delete_vpc(const std::string& id);  // Error("DependencyViolation.*") while it has children

    // Assigns vsw.slot: the smallest not used by a live vSwitch.
    void insert(VSwitch& vsw);
    std::optional<VSwitch> find_vswitch(const std::string& id);
    std::vector<VSwitch> vswitches();
    std::vector<VSwitch> vswitches_of(const std::string& vpc_id);
    void delete_vswitch(const std::string& id);  // also forgets its port
    // The kernel link of a vSwitch, recorded when it is made.
    void set_vswitch_port(const std::string& vswitch_id, const PortInfo& port);
    PortMap vswitch_ports();
    PortMap vswitch_ports(const std::vector<VSwitch>& of);

    void insert(const Instance& inst);
    std::optional<Instance> find_instance(const std::string& id);
    std::vector<Instance> instances();
    std::vector<Instance> instances_of(const std::string& vswitch_id);
    void delete_instance(const std::string& id);

    // Assigns p.slot: the smallest not used by a connection that is not Deleted.
    // Connections are never removed: a Deleted one keeps its history and final counters.
    void insert(Peering& p);
    std::optional<Peering> find_peering(const std::string& id);
    std::vector<Peering> peerings();       // all, Deleted included
    std::vector<Peering> live_peerings();  // not Deleted
    std::vector<Peering> live_peerings_of(const std::string& vpc_id);  // at either end
    // How many connections the account requested in the region, by status (Deleted included).
    std::map<PeeringStatus, int64_t> peering_counts(AccountId account, const std::string& region);
    std::vector<Peering> peerings_of_party(AccountId account);  // requester or accepter, Deleted included
    std::vector<Peering> peerings_created_before(PeeringStatus status, int64_t time);
    void set_peering_status(const std::string& id, PeeringStatus status);
    void update_peering(const Peering& p);  // every field but id and slot
    void archive_counters(const std::string& pcc, Direction direction, const LinkCounters& counters);
    std::optional<LinkCounters> archived_counters(const std::string& pcc, Direction direction);

    // A route without an id gets one derived from its key (model/route_id.h); one with an id keeps
    // it. Returns the id. Keys are never reused, so neither are derived ids.
    std::string insert(const RouteEntry& r);
    void insert(std::vector<RouteEntry>& routes);  // many at once, one prepared statement; fills in the ids
    std::optional<RouteEntry> find_route(const std::string& id);
    std::vector<RouteEntry> routes();
    std::vector<RouteEntry> routes_of_vpc(const std::string& vpc_id);
    std::optional<RouteEntry> any_route_of_vpc(const std::string& vpc_id);
    std::vector<RouteEntry> routes_to(const std::string& vpc_id, const Cidr& destination);
    std::vector<std::string> route_destinations(const std::string& vpc_id);  // as stored: Cidr::str()
    std::vector<RouteEntry> routes_via(const std::string& pcc_id);
    void delete_route(const std::string& id);

    void record(const Event& e);
    // Ordered by time, then insertion. A non-empty filter keeps the events of resources whose id
    // starts with it: a whole id, or a prefix such as "pcc-".
    std::vector<Event> events(const std::string& resource_filter = "");

    // Quotas an account has set (name -> value); the defaults live in controller/quotas.h.
    std::optional<int64_t> quota(AccountId account, const std::string& name);
    void set_quota(AccountId account, const std::string& name, int64_t value);

    // Principal accounts a VPC is shared with (sorted), and the VPCs shared with an account.
    std::vector<AccountId> principals(const std::string& vpc_id);
    std::vector<Vpc> vpcs_shared_with(AccountId account);
    void share(const std::string& vpc_id, AccountId account);    // idempotent
    void unshare(const std::string& vpc_id, AccountId account);  // idempotent

    // What a create with a client token made, so that a retry returns it instead of a second one.
    std::optional<ClientToken> client_token(AccountId account, const std::string& token);
    void insert(const ClientToken& t);

    std::optional<LinkReading> link_reading(const std::string& pcc, Direction direction);
    void put(const LinkReading& r);
    void add_usage(const UsageRow& delta);  // adds to the hour's row
    std::vector<UsageRow> usage(int64_t from_hour, int64_t to_hour);  // [from, to)

    std::vector<billing::Price> prices();  // every price set, the oldest effective_from first
    // Adds to the pair's history (regions in either order); replaces one with the same effective_from.
    void set_price(const billing::Price& p);

    void insert(const alerts::Rule& r);
    std::vector<alerts::Rule> alert_rules();
    std::optional<alerts::Rule> find_alert(const std::string& id);
    void delete_alert(const std::string& id);
    alerts::State alert_state(const std::string& id);
    void set_alert_state(const std::string& id, const alerts::State& s);
    int64_t record(const AlertChange& c);  // returns its seq
    void set_delivery(int64_t seq, const std::string& delivery);
    std::vector<AlertChange> alert_history(const std::string& alert_id);

    Snapshot snapshot();  // live peerings only
    // What compile_scope(scope) needs, and no more: the scope's vSwitches, every vSwitch of a VPC
    // with one of its prefixes (a system route wins over a route entry with its key), the route
    // entries of its prefixes, its live peerings and those the routes name, every VPC these name.
    ScopedSnapshot snapshot_of(const Scope& scope);

    // Whether any resource, live or gone (events remember them), has this id.
    bool id_exists(const std::string& id);

private:
    void exec(const char* sql);
    void create_schema();
    uint64_t route_salt();
    // The key of the route `id` names: a kept id first, else the key it derives from.
    std::optional<int64_t> route_key(const std::string& id);

    std::string path_;
    sqlite3* db_ = nullptr;
    std::unique_ptr<Store> committed_;
    std::optional<uint64_t> route_salt_;  // meta route_id_salt (model/route_id.h), read when first needed
};

using Transaction = Store::Transaction;

}  // namespace xpeer
