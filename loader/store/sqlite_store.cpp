#include "store/sqlite_store.h"
#include "store/counters_text.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/statement.h"

#include "model/mac.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <utility>

#include "model/errors.h"

namespace xpeer {
namespace {
using namespace store_detail;

// Reads route rows, deriving ids with the store's salt.
auto route_reader(uint64_t salt) {
    return [salt](const Statement& s) { return read_route(s, salt); };
}

// The smallest non-negative integer not in `used_sql`'s single column.
uint32_t smallest_free(sqlite3* db, const char* used_sql) {
    Statement s(db, used_sql);
    uint32_t next = 0;
    while (s.step() && static_cast<uint32_t>(s.i64(0)) == next) ++next;
    return next;
}

// A delete of exactly one row: errors::not_found(kind, id) if there was none.
void delete_one(sqlite3* db, const char* sql, errors::Kind kind, const std::string& id) {
    Statement s(db, sql, id);
    s.run();
    if (s.changes() == 0) throw errors::not_found(kind, id);
}

Mac parse_port_mac(const std::string& text) {
    if (auto m = parse_mac(text)) return *m;
    throw StoreError("store: malformed MAC address '" + text + "' in vswitch_ports", SQLITE_CORRUPT);
}

}  // namespace

// ---- opening, schema, transactions

SqliteStore::SqliteStore(const std::string& path, Access access) : path_(path) {
    if (access == Access::ReadOnly) {
        if (int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr); rc != SQLITE_OK) {
            std::string what = "sqlite: open " + path + " read-only: " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
            sqlite3_close(db_);
            throw StoreError(what, rc);
        }
        sqlite3_busy_timeout(db_, 10000);
        sqlite3_extended_result_codes(db_, 1);
        return;
    }
    auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) throw SystemError("store: create directory " + parent.string(), ec.value());
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string what = "sqlite: open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        sqlite3_close(db_);
        throw StoreError(what, rc);
    }
    try {
        sqlite3_busy_timeout(db_, 10000);
        sqlite3_extended_result_codes(db_, 1);
        exec("PRAGMA journal_mode = WAL");
        exec("PRAGMA foreign_keys = ON");
        // Room for a 100k-route import's pages and index pages: with SQLite's 2 MB default the
        // transaction spills pages to the WAL and reads them back, tens of thousands of times.
        exec("PRAGMA cache_size = -262144");
        create_schema();
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

SqliteStore::~SqliteStore() {
    committed_.reset();
    sqlite3_close(db_);
}

Store& SqliteStore::committed() {
    if (!committed_) committed_ = std::make_unique<SqliteStore>(path_, Access::ReadOnly);
    return *committed_;
}

void SqliteStore::exec(const char* sql) {
    char* err = nullptr;
    if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        std::string step = sql;
        if (step.size() > 60) step = step.substr(0, 60) + "...";
        std::string what = "sqlite: exec `" + step + "` on " + path_ + ": " + msg;
        if ((rc & 0xff) == SQLITE_CONSTRAINT) throw errors::store_constraint(what);
        throw StoreError(what, rc);
    }
}

void SqliteStore::create_schema() {
    auto tx = begin();
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    auto version = one<int64_t>(
        db_, [](const Statement& s) { return s.i64(0); }, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'");
    static_assert(kSchemaVersion == schema::kSteps.size());
    if (!version || *version < kSchemaVersion) {
        for (int64_t v = version.value_or(0); v < kSchemaVersion; ++v) exec(schema::kSteps[v]);
        Statement(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", std::to_string(kSchemaVersion)).run();
    } else if (*version > kSchemaVersion) {
        throw errors::store_schema_version(path_ + " has schema version " + std::to_string(*version) + ", newer than the " +
                                           std::to_string(kSchemaVersion) + " this xpeer knows; use a newer xpeer");
    }
    tx.commit();
}

void SqliteStore::begin_transaction() { exec("BEGIN IMMEDIATE"); }

void SqliteStore::commit_transaction() { exec("COMMIT"); }

void SqliteStore::rollback_transaction() noexcept {
    // SQLite may already have rolled back (e.g. after SQLITE_FULL): only roll back an open transaction.
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

// ---- settings and accounts

std::optional<std::string> SqliteStore::setting(const std::string& key) {
    return one<std::string>(
        db_, [](const Statement& s) { return s.text(0); }, "SELECT value FROM settings WHERE key = ?", key);
}

void SqliteStore::set_setting(const std::string& key, const std::string& value) {
    Statement(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
        .run();
}

void SqliteStore::ensure_account(AccountId account) { Statement(db_, "INSERT OR IGNORE INTO accounts (id) VALUES (?)", account).run(); }

std::vector<AccountId> SqliteStore::accounts() {
    return all<AccountId>(
        db_, [](const Statement& s) { return s.u64(0); }, "SELECT id FROM accounts ORDER BY id");
}

// ---- VPCs

void SqliteStore::insert(Vpc& v) {
    Statement(db_, "INSERT INTO vpcs (id, account, region, name, cidr, ipv6_cidr, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", v.id,
              v.account, v.region, v.name, v.cidr, v.ipv6_cidr, v.created_at)
        .run();
    v.key = static_cast<uint32_t>(sqlite3_last_insert_rowid(db_));
}

std::optional<Vpc> SqliteStore::find_vpc(const std::string& id) {
    return one<Vpc>(db_, read_vpc, kVpcCols + std::string("WHERE id = ?"), id);
}

std::vector<Vpc> SqliteStore::vpcs() { return all<Vpc>(db_, read_vpc, kVpcCols + std::string("ORDER BY key")); }

std::vector<Vpc> SqliteStore::vpcs_of_account(AccountId account) {
    return all<Vpc>(db_, read_vpc, kVpcCols + std::string("WHERE account = ? ORDER BY key"), account);
}

bool SqliteStore::has_vpcs() { return Statement(db_, "SELECT 1 FROM vpcs LIMIT 1").step(); }

void SqliteStore::update_vpc(const Vpc& v) {
    Statement s(db_, "UPDATE vpcs SET name = ?, ipv6_cidr = ? WHERE id = ?", v.name, v.ipv6_cidr, v.id);
    s.run();
    if (s.changes() == 0) throw errors::not_found(errors::Kind::Vpc, v.id);
}

void SqliteStore::delete_vpc(const std::string& id) { delete_one(db_, "DELETE FROM vpcs WHERE id = ?", errors::Kind::Vpc, id); }

// ---- vSwitches

void SqliteStore::insert(VSwitch& v) {
    uint32_t number = smallest_free(db_, "SELECT slot FROM vswitches ORDER BY slot");  // the column keeps its first name
    Statement(
        db_,
        "INSERT INTO vswitches (id, slot, vpc_id, name, cidr, ipv6_cidr, created_at, account, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        v.id, number, v.vpc_id, v.name, v.cidr, v.ipv6_cidr, v.created_at, v.account, v.host)
        .run();
    v.number = number;
}

std::optional<VSwitch> SqliteStore::find_vswitch(const std::string& id) {
    return one<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("WHERE id = ?"), id);
}

std::vector<VSwitch> SqliteStore::vswitches() { return all<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("ORDER BY rowid")); }

std::vector<VSwitch> SqliteStore::vswitches_of(const std::string& vpc_id) {
    return all<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("WHERE vpc_id = ? ORDER BY rowid"), vpc_id);
}

std::vector<VSwitch> SqliteStore::vswitches_on(const std::string& host) {
    return all<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("WHERE host = ? ORDER BY rowid"), host);
}

// ---- hosts

void SqliteStore::insert(const Host& h) {
    Statement(db_, "INSERT INTO hosts (name, region, underlay_address, created_at) VALUES (?, ?, ?, ?)", h.name, h.region, h.underlay,
              h.created_at)
        .run();
}

std::optional<Host> SqliteStore::find_host(const std::string& name) {
    return one<Host>(db_, read_host, kHostCols + std::string("WHERE name = ?"), name);
}

std::optional<Host> SqliteStore::host_with_underlay(const IpAddr& address) {
    return one<Host>(db_, read_host, kHostCols + std::string("WHERE underlay_address = ?"), address);
}

std::vector<Host> SqliteStore::hosts() { return all<Host>(db_, read_host, kHostCols + std::string("ORDER BY name")); }

void SqliteStore::delete_vswitch(const std::string& id) {
    delete_one(db_, "DELETE FROM vswitches WHERE id = ?", errors::Kind::VSwitch, id);
}

void SqliteStore::set_vswitch_port(const std::string& vswitch_id, const PortInfo& port) {
    Statement(db_,
              "INSERT INTO vswitch_ports (vswitch_id, ifindex, datapath_mac, vpc_mac) VALUES (?, ?, ?, ?) "
              "ON CONFLICT(vswitch_id) DO UPDATE SET ifindex = excluded.ifindex, datapath_mac = excluded.datapath_mac, "
              "vpc_mac = excluded.vpc_mac",
              vswitch_id, port.ifindex, mac_str(port.datapath_mac), mac_str(port.vpc_mac))
        .run();
}

PortMap SqliteStore::vswitch_ports() {
    Statement s(db_, "SELECT vswitch_id, ifindex, datapath_mac, vpc_mac FROM vswitch_ports");
    PortMap out;
    while (s.step()) out[s.text(0)] = PortInfo{static_cast<uint32_t>(s.i64(1)), parse_port_mac(s.text(2)), parse_port_mac(s.text(3))};
    return out;
}

PortMap SqliteStore::vswitch_ports(const std::vector<VSwitch>& of) {
    PortMap out;
    for (const auto& vsw : of) {
        Statement s(db_, "SELECT ifindex, datapath_mac, vpc_mac FROM vswitch_ports WHERE vswitch_id = ?", vsw.id);
        if (s.step()) out[vsw.id] = PortInfo{static_cast<uint32_t>(s.i64(0)), parse_port_mac(s.text(1)), parse_port_mac(s.text(2))};
    }
    return out;
}

// ---- instances

void SqliteStore::insert(const Instance& i) {
    Statement(db_, "INSERT INTO instances (id, vswitch_id, ip, ipv6, created_at, account) VALUES (?, ?, ?, ?, ?, ?)", i.id, i.vswitch_id,
              i.ip, i.ipv6, i.created_at, i.account)
        .run();
}

std::optional<Instance> SqliteStore::find_instance(const std::string& id) {
    return one<Instance>(db_, read_instance, kInstanceCols + std::string("WHERE id = ?"), id);
}

std::vector<Instance> SqliteStore::instances() { return all<Instance>(db_, read_instance, kInstanceCols + std::string("ORDER BY rowid")); }

std::vector<Instance> SqliteStore::instances_of(const std::string& vswitch_id) {
    return all<Instance>(db_, read_instance, kInstanceCols + std::string("WHERE vswitch_id = ? ORDER BY rowid"), vswitch_id);
}

void SqliteStore::delete_instance(const std::string& id) {
    delete_one(db_, "DELETE FROM instances WHERE id = ?", errors::Kind::Instance, id);
}

// ---- peering connections

void SqliteStore::insert(Peering& p) {
    uint32_t slot = smallest_free(db_, "SELECT slot FROM peerings WHERE status <> 'Deleted' ORDER BY slot");
    Statement(db_,
              "INSERT INTO peerings (id, slot, account, vpc_id, peer_account, peer_vpc_id, region, peer_region, bandwidth_mbps, "
              "link_type, status, name, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              p.id, slot, p.account, p.vpc_id, p.peer_account, p.peer_vpc_id, p.region, p.peer_region, p.bandwidth_mbps, p.link_type,
              p.status, p.name, p.description, p.created_at)
        .run();
    p.slot = slot;
}

std::optional<Peering> SqliteStore::find_peering(const std::string& id) {
    return one<Peering>(db_, read_peering, kPeeringCols + std::string("WHERE id = ?"), id);
}

std::vector<Peering> SqliteStore::peerings() { return all<Peering>(db_, read_peering, kPeeringCols + std::string("ORDER BY rowid")); }

std::vector<Peering> SqliteStore::live_peerings() {
    return all<Peering>(db_, read_peering, kPeeringCols + std::string("WHERE status <> 'Deleted' ORDER BY rowid"));
}

std::vector<Peering> SqliteStore::live_peerings_of(const std::string& vpc_id) {
    return all<Peering>(db_, read_peering,
                        kPeeringCols + std::string("WHERE (vpc_id = ?1 OR peer_vpc_id = ?1) AND status <> 'Deleted' ORDER BY rowid"),
                        vpc_id);
}

std::map<PeeringStatus, int64_t> SqliteStore::peering_counts(AccountId account, const std::string& region) {
    Statement s(db_, "SELECT status, count(*) FROM peerings WHERE account = ? AND region = ? GROUP BY status", account, region);
    std::map<PeeringStatus, int64_t> out;
    while (s.step()) out[peering_status_from_string(s.text(0))] = s.i64(1);
    return out;
}

std::vector<Peering> SqliteStore::peerings_of_party(AccountId account) {
    return all<Peering>(db_, read_peering, kPeeringCols + std::string("WHERE account = ?1 OR peer_account = ?1 ORDER BY rowid"), account);
}

std::vector<Peering> SqliteStore::peerings_created_before(PeeringStatus status, int64_t time) {
    return all<Peering>(db_, read_peering, kPeeringCols + std::string("WHERE status = ? AND created_at < ? ORDER BY rowid"), status, time);
}

void SqliteStore::set_peering_status(const std::string& id, PeeringStatus status) {
    Statement s(db_, "UPDATE peerings SET status = ? WHERE id = ?", status, id);
    s.run();
    if (s.changes() == 0) throw errors::not_found(errors::Kind::VpcPeer, id);
}

void SqliteStore::update_peering(const Peering& p) {
    Statement s(db_,
                "UPDATE peerings SET account = ?, vpc_id = ?, peer_account = ?, peer_vpc_id = ?, region = ?, peer_region = ?, "
                "bandwidth_mbps = ?, link_type = ?, status = ?, name = ?, description = ?, created_at = ? WHERE id = ?",
                p.account, p.vpc_id, p.peer_account, p.peer_vpc_id, p.region, p.peer_region, p.bandwidth_mbps, p.link_type, p.status,
                p.name, p.description, p.created_at, p.id);
    s.run();
    if (s.changes() == 0) throw errors::not_found(errors::Kind::VpcPeer, p.id);
}

void SqliteStore::archive_counters(const std::string& pcc, Direction direction, const LinkCounters& c) {
    Statement(db_, "INSERT OR REPLACE INTO archived_counters (pcc, direction, counters) VALUES (?, ?, ?)", pcc, direction, counters_text(c))
        .run();
}

std::optional<LinkCounters> SqliteStore::archived_counters(const std::string& pcc, Direction direction) {
    return one<LinkCounters>(
        db_, [](const Statement& s) { return parse_counters(s.text(0), "archived_counters"); },
        "SELECT counters FROM archived_counters WHERE pcc = ? AND direction = ?", pcc, direction);
}

// ---- route entries

namespace {

// Inserts the routes, each under a key never handed out before; returns their ids. A route without
// an id gets the one its key derives, skipping a key whose id a kept route already holds. A route
// with an id keeps it, unless the id has the form of a derived one.
std::vector<std::string> write_routes(sqlite3* db, const std::vector<RouteEntry>& routes, uint64_t salt) {
    // Above both: an xpeer from before schema 5, still running, inserts keys of its own.
    auto next = one<int64_t>(
        db, [](const Statement& s) { return s.i64(0); },
        "SELECT MAX((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'route_next_key'), "
        "(SELECT COALESCE(MAX(key), 0) + 1 FROM routes))");
    uint64_t key = static_cast<uint64_t>(next.value_or(1));
    const bool kept_ids = Statement(db, "SELECT 1 FROM routes WHERE id IS NOT NULL LIMIT 1").step();
    auto kept = [&](const std::string& id) { return kept_ids && Statement(db, "SELECT 1 FROM routes WHERE id = ?", id).step(); };

    sqlite3_stmt* st = nullptr;
    const char* sql = "INSERT INTO routes (key, id, vpc_id, destination, next_hop, created_at) VALUES (?, ?, ?, ?, ?, ?)";
    if (int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr); rc != SQLITE_OK) fail(db, rc, "prepare route insert");
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(st, sqlite3_finalize);
    std::vector<std::string> ids;
    ids.reserve(routes.size());
    for (const auto& r : routes) {
        const std::string dest = r.destination.str();  // outlives the step: SQLITE_STATIC copies nothing
        if (r.id.empty()) {
            std::string id = route_id_of(key, salt);
            while (kept(id)) id = route_id_of(++key, salt);
            ids.push_back(std::move(id));
            sqlite3_bind_null(st, 2);
        } else {
            if (route_key_of(r.id, salt))
                throw errors::store_constraint("route entry id " + r.id + " has the form of an id the store derives; choose another");
            ids.push_back(r.id);
            sqlite3_bind_text(st, 2, r.id.data(), static_cast<int>(r.id.size()), SQLITE_STATIC);
        }
        sqlite3_bind_int64(st, 1, static_cast<int64_t>(key));
        sqlite3_bind_text(st, 3, r.vpc_id.data(), static_cast<int>(r.vpc_id.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 4, dest.data(), static_cast<int>(dest.size()), SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r.next_hop.data(), static_cast<int>(r.next_hop.size()), SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, r.created_at);
        if (int rc = sqlite3_step(st); rc != SQLITE_DONE) fail(db, rc, "insert route " + ids.back() + " (" + dest + ")");
        sqlite3_reset(st);
        ++key;
    }
    Statement(db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('route_next_key', ?)", std::to_string(key)).run();
    return ids;
}

}  // namespace

std::string SqliteStore::insert(const RouteEntry& r) {
    std::vector<RouteEntry> one_route{r};
    insert(one_route);
    return one_route[0].id;
}

void SqliteStore::insert(std::vector<RouteEntry>& routes) {
    if (routes.empty()) return;
    exec("SAVEPOINT route_insert");  // all or nothing, in a transaction or not
    std::vector<std::string> ids;
    try {
        ids = write_routes(db_, routes, route_salt());
        exec("RELEASE route_insert");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK TO route_insert; RELEASE route_insert", nullptr, nullptr, nullptr);
        throw;
    }
    for (size_t i = 0; i < routes.size(); ++i) routes[i].id = std::move(ids[i]);
}

uint64_t SqliteStore::route_salt() {
    if (!route_salt_)  // 0 in a file from before schema 5, opened read-only
        route_salt_ = static_cast<uint64_t>(
            one<int64_t>(
                db_, [](const Statement& s) { return s.i64(0); }, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'route_id_salt'")
                .value_or(0));
    return *route_salt_;
}

std::optional<int64_t> SqliteStore::route_key(const std::string& id) {
    auto by_id = [](const Statement& s) { return s.i64(0); };
    if (auto key = one<int64_t>(db_, by_id, "SELECT key FROM routes WHERE id = ?", id)) return key;
    if (auto key = route_key_of(id, route_salt()))
        return one<int64_t>(db_, by_id, "SELECT key FROM routes WHERE key = ? AND id IS NULL", static_cast<int64_t>(*key));
    return std::nullopt;
}

std::optional<RouteEntry> SqliteStore::find_route(const std::string& id) {
    auto key = route_key(id);
    if (!key) return std::nullopt;
    return one<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE key = ?"), *key);
}

std::vector<RouteEntry> SqliteStore::routes() {
    return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("ORDER BY rowid"));
}

std::vector<RouteEntry> SqliteStore::routes_of_vpc(const std::string& vpc_id) {
    return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE vpc_id = ? ORDER BY rowid"), vpc_id);
}

std::optional<RouteEntry> SqliteStore::any_route_of_vpc(const std::string& vpc_id) {
    return one<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE vpc_id = ? LIMIT 1"), vpc_id);
}

std::vector<RouteEntry> SqliteStore::routes_to(const std::string& vpc_id, const Cidr& destination) {
    return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE vpc_id = ? AND destination = ? ORDER BY rowid"),
                           vpc_id, destination);
}

std::vector<std::string> SqliteStore::route_destinations(const std::string& vpc_id) {
    return all<std::string>(
        db_, [](const Statement& s) { return s.text(0); }, "SELECT destination FROM routes WHERE vpc_id = ?", vpc_id);
}

std::vector<RouteEntry> SqliteStore::routes_via(const std::string& pcc_id) {
    return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE next_hop = ? ORDER BY rowid"), pcc_id);
}

void SqliteStore::delete_route(const std::string& id) {
    auto key = route_key(id);
    if (!key) throw errors::not_found(errors::Kind::RouteEntry, id);
    Statement(db_, "DELETE FROM routes WHERE key = ?", *key).run();
}

// ---- events

void SqliteStore::record(const Event& e) {
    Statement(db_, "INSERT INTO events (time, resource, status, account, reason) VALUES (?, ?, ?, ?, ?)", e.time, e.resource, e.status,
              e.account, e.reason)
        .run();
}

std::vector<Event> SqliteStore::events(const std::string& resource_filter) {
    return all<Event>(
        db_,
        [](const Statement& s) {
            return Event{s.i64(0), s.text(1), s.text(2), s.u64(3), s.text(4)};
        },
        "SELECT time, resource, status, account, reason FROM events WHERE substr(resource, 1, length(?1)) = ?1 ORDER BY time, seq",
        resource_filter);
}

// ---- whole-state reads

Snapshot SqliteStore::snapshot() { return Snapshot{vpcs(), vswitches(), instances(), live_peerings(), routes(), hosts(), local_host()}; }

bool SqliteStore::id_exists(const std::string& id) {
    if (route_key(id)) return true;
    Statement s(db_,
                "SELECT 1 FROM vpcs WHERE id = ?1 UNION ALL SELECT 1 FROM vswitches WHERE id = ?1 "
                "UNION ALL SELECT 1 FROM instances WHERE id = ?1 UNION ALL SELECT 1 FROM peerings WHERE id = ?1 "
                "UNION ALL SELECT 1 FROM events WHERE resource = ?1 LIMIT 1",
                id);
    return s.step();
}

}  // namespace xpeer
