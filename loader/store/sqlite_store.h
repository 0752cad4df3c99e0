#pragma once
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "store/store.h"

struct sqlite3;

namespace xpeer {

// A failure of SQLite itself (I/O, lock timeout, corrupt file): the statement and sqlite3_errmsg.
// Rule violations are xpeer::Error instead (a constraint failure is Error("Store.Constraint")).
class StoreError : public std::runtime_error {
public:
    StoreError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int sqlite_code() const { return code_; }

private:
    int code_;
};

// The desired state in one SQLite file. Not thread-safe; one SqliteStore per process and file.
// Writers from several processes serialize on BEGIN IMMEDIATE (busy timeout 10 s). EtcdStore
// keeps its replica of etcd in one.
class SqliteStore : public Store {
public:
    static constexpr int kSchemaVersion = 8;

    enum class Access { ReadWrite, ReadOnly };

    // Creates the parent directories and the schema if needed; throws Error("Store.SchemaVersion")
    // for a file written by a newer xpeer. ReadOnly opens an existing store as it is.
    explicit SqliteStore(const std::string& path, Access access = Access::ReadWrite);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    const std::string& path() const { return path_; }

    // Through a second connection (WAL), opened on first use.
    Store& committed() override;

    std::optional<std::string> setting(const std::string& key) override;
    void set_setting(const std::string& key, const std::string& value) override;
    void ensure_account(AccountId account) override;
    std::vector<AccountId> accounts() override;
    void insert(Vpc& vpc) override;
    std::optional<Vpc> find_vpc(const std::string& id) override;
    std::vector<Vpc> vpcs() override;
    std::vector<Vpc> vpcs_of_account(AccountId account) override;
    bool has_vpcs() override;
    void update_vpc(const Vpc& vpc) override;
    void delete_vpc(const std::string& id) override;
    void insert(VSwitch& vsw) override;
    std::optional<VSwitch> find_vswitch(const std::string& id) override;
    std::vector<VSwitch> vswitches() override;
    std::vector<VSwitch> vswitches_of(const std::string& vpc_id) override;
    std::vector<VSwitch> vswitches_on(const std::string& host) override;

    void insert(const Host& host) override;
    std::optional<Host> find_host(const std::string& name) override;
    std::optional<Host> host_with_underlay(const IpAddr& address) override;
    std::vector<Host> hosts() override;
    void delete_vswitch(const std::string& id) override;
    void set_vswitch_port(const std::string& vswitch_id, const PortInfo& port) override;
    PortMap vswitch_ports() override;
    PortMap vswitch_ports(const std::vector<VSwitch>& of) override;
    void insert(const Instance& inst) override;
    std::optional<Instance> find_instance(const std::string& id) override;
    std::vector<Instance> instances() override;
    std::vector<Instance> instances_of(const std::string& vswitch_id) override;
    void delete_instance(const std::string& id) override;
    void insert(Peering& p) override;
    std::optional<Peering> find_peering(const std::string& id) override;
    std::vector<Peering> peerings() override;
    std::vector<Peering> live_peerings() override;
    std::vector<Peering> live_peerings_of(const std::string& vpc_id) override;
    std::map<PeeringStatus, int64_t> peering_counts(AccountId account, const std::string& region) override;
    std::vector<Peering> peerings_of_party(AccountId account) override;
    std::vector<Peering> peerings_created_before(PeeringStatus status, int64_t time) override;
    void set_peering_status(const std::string& id, PeeringStatus status) override;
    void update_peering(const Peering& p) override;
    void archive_counters(const std::string& pcc, Direction direction, const LinkCounters& counters) override;
    std::optional<LinkCounters> archived_counters(const std::string& pcc, Direction direction) override;
    std::string insert(const RouteEntry& r) override;
    void insert(std::vector<RouteEntry>& routes) override;
    std::optional<RouteEntry> find_route(const std::string& id) override;
    std::vector<RouteEntry> routes() override;
    std::vector<RouteEntry> routes_of_vpc(const std::string& vpc_id) override;
    std::optional<RouteEntry> any_route_of_vpc(const std::string& vpc_id) override;
    std::vector<RouteEntry> routes_to(const std::string& vpc_id, const Cidr& destination) override;
    std::vector<std::string> route_destinations(const std::string& vpc_id) override;
    std::vector<RouteEntry> routes_via(const std::string& pcc_id) override;
    void delete_route(const std::string& id) override;
    void record(const Event& e) override;
    std::vector<Event> events(const std::string& resource_filter = "") override;  // the same default as Store's
    std::optional<int64_t> quota(AccountId account, const std::string& name) override;
    void set_quota(AccountId account, const std::string& name, int64_t value) override;
    std::vector<AccountId> principals(const std::string& vpc_id) override;
    std::vector<Vpc> vpcs_shared_with(AccountId account) override;
    void share(const std::string& vpc_id, AccountId account) override;
    void unshare(const std::string& vpc_id, AccountId account) override;
    std::optional<ClientToken> client_token(AccountId account, const std::string& token) override;
    void insert(const ClientToken& t) override;
    std::optional<LinkReading> link_reading(const std::string& pcc, Direction direction) override;
    void put(const LinkReading& r) override;
    void add_usage(const UsageRow& delta) override;
    std::vector<UsageRow> usage(int64_t from_hour, int64_t to_hour) override;
    std::vector<billing::Price> prices() override;
    void set_price(const billing::Price& p) override;
    void insert(const alerts::Rule& r) override;
    std::vector<alerts::Rule> alert_rules() override;
    std::optional<alerts::Rule> find_alert(const std::string& id) override;
    void delete_alert(const std::string& id) override;
    alerts::State alert_state(const std::string& id) override;
    void set_alert_state(const std::string& id, const alerts::State& s) override;
    int64_t record(const AlertChange& c) override;
    void set_delivery(int64_t seq, const std::string& delivery) override;
    std::vector<AlertChange> alert_history(const std::string& alert_id) override;
    Snapshot snapshot() override;
    ScopedSnapshot snapshot_of(const Scope& scope) override;
    bool id_exists(const std::string& id) override;

protected:
    void begin_transaction() override;
    void commit_transaction() override;
    void rollback_transaction() noexcept override;
    void exec(const char* sql);
    sqlite3* db() const { return db_; }

private:
    void create_schema();
    uint64_t route_salt();
    // The key of the route `id` names: a kept id first, else the key it derives from.
    std::optional<int64_t> route_key(const std::string& id);

    std::string path_;
    sqlite3* db_ = nullptr;
    std::unique_ptr<SqliteStore> committed_;
    std::optional<uint64_t> route_salt_;  // meta route_id_salt (model/route_id.h), read when first needed
};

}  // namespace xpeer
