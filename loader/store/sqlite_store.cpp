#include "store/sqlite_store.h"
#include "store/counters_text.h"
#include "store/rows.h"
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


constexpr const char* kSchema = R"sql(
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE vpcs (
  key INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account INTEGER NOT NULL,
  region TEXT NOT NULL, name TEXT NOT NULL, cidr TEXT NOT NULL, ipv6_cidr TEXT, created_at INTEGER NOT NULL);
CREATE TABLE vswitches (
  id TEXT PRIMARY KEY, slot INTEGER NOT NULL UNIQUE, vpc_id TEXT NOT NULL REFERENCES vpcs(id),
  name TEXT NOT NULL, cidr TEXT NOT NULL, ipv6_cidr TEXT, created_at INTEGER NOT NULL);
CREATE INDEX vswitches_vpc ON vswitches(vpc_id);
CREATE TABLE vswitch_ports (
  vswitch_id TEXT PRIMARY KEY REFERENCES vswitches(id) ON DELETE CASCADE,
  ifindex INTEGER NOT NULL, datapath_mac TEXT NOT NULL, vpc_mac TEXT NOT NULL);
CREATE TABLE instances (
  id TEXT PRIMARY KEY, vswitch_id TEXT NOT NULL REFERENCES vswitches(id), ip TEXT, ipv6 TEXT, created_at INTEGER NOT NULL);
CREATE INDEX instances_vswitch ON instances(vswitch_id);
CREATE TABLE peerings (
  id TEXT PRIMARY KEY, slot INTEGER NOT NULL, account INTEGER NOT NULL, vpc_id TEXT NOT NULL,
  peer_account INTEGER NOT NULL, peer_vpc_id TEXT NOT NULL, region TEXT NOT NULL, peer_region TEXT NOT NULL,
  bandwidth_mbps INTEGER NOT NULL, link_type TEXT NOT NULL, status TEXT NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX peerings_live_slot ON peerings(slot) WHERE status <> 'Deleted';
CREATE TABLE archived_counters (
  pcc TEXT NOT NULL REFERENCES peerings(id), direction INTEGER NOT NULL, packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL, drop_inactive INTEGER NOT NULL, drop_no_route INTEGER NOT NULL,
  drop_transit INTEGER NOT NULL, drop_ttl INTEGER NOT NULL, PRIMARY KEY (pcc, direction));
CREATE TABLE routes (
  id TEXT PRIMARY KEY, vpc_id TEXT NOT NULL REFERENCES vpcs(id), destination TEXT NOT NULL,
  next_hop TEXT NOT NULL REFERENCES peerings(id), created_at INTEGER NOT NULL);
CREATE INDEX routes_vpc ON routes(vpc_id);
CREATE INDEX routes_next_hop ON routes(next_hop);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, resource TEXT NOT NULL,
  status TEXT NOT NULL, account INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE INDEX events_resource ON events(resource);
)sql";

// Version 2: quotas, shared VPCs, client tokens.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE quotas (account INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (account, name));
CREATE TABLE vpc_shares (
  vpc_id TEXT NOT NULL REFERENCES vpcs(id) ON DELETE CASCADE, account INTEGER NOT NULL, PRIMARY KEY (vpc_id, account));
CREATE INDEX vpc_shares_account ON vpc_shares(account);
ALTER TABLE vswitches ADD COLUMN account INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN account INTEGER NOT NULL DEFAULT 0;
UPDATE vswitches SET account = (SELECT account FROM vpcs WHERE vpcs.id = vswitches.vpc_id);
UPDATE instances SET account = (SELECT account FROM vswitches WHERE vswitches.id = instances.vswitch_id);
CREATE TABLE client_tokens (
  account INTEGER NOT NULL, token TEXT NOT NULL, kind TEXT NOT NULL, request TEXT NOT NULL, resource_id TEXT NOT NULL,
  PRIMARY KEY (account, token));
)sql";

// Version 3: policer drops; what the agent samples, bills and alerts on.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE archived_counters ADD COLUMN drop_policer INTEGER NOT NULL DEFAULT 0;
CREATE TABLE link_readings (
  pcc TEXT NOT NULL, direction INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  raw TEXT NOT NULL, total TEXT NOT NULL, PRIMARY KEY (pcc, direction));
CREATE TABLE usage (
  pcc TEXT NOT NULL, direction INTEGER NOT NULL, hour INTEGER NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY (pcc, direction, hour));
CREATE TABLE prices (
  region_a TEXT NOT NULL, region_b TEXT NOT NULL, link_type TEXT NOT NULL, usd_per_gb REAL NOT NULL,
  PRIMARY KEY (region_a, region_b, link_type));
CREATE TABLE alerts (
  id TEXT PRIMARY KEY, account INTEGER NOT NULL, pcc TEXT NOT NULL, metric TEXT NOT NULL, threshold REAL NOT NULL,
  for_seconds INTEGER NOT NULL, webhook TEXT NOT NULL, breached_since INTEGER, firing INTEGER NOT NULL DEFAULT 0);
INSERT INTO prices VALUES ('cn-huhehaote', 'cn-guangzhou', 'Gold', 0.072);
CREATE TABLE alert_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, time INTEGER NOT NULL, change TEXT NOT NULL,
  value REAL NOT NULL, delivery TEXT NOT NULL);
)sql";

// Version 4: a command reads only the rows it needs (one route key, one VPC's connections, the
// requests due to expire), so that its time does not grow with the store. routes_vpc is the
// prefix of routes_vpc_destination: one index less to write for each imported route.
constexpr const char* kSchemaV4 = R"sql(
CREATE INDEX routes_vpc_destination ON routes(vpc_id, destination);
DROP INDEX IF EXISTS routes_vpc;
CREATE INDEX peerings_vpc ON peerings(vpc_id);
CREATE INDEX peerings_peer_vpc ON peerings(peer_vpc_id);
CREATE INDEX peerings_account_region ON peerings(account, region, status);
CREATE INDEX peerings_peer_account ON peerings(peer_account);
CREATE INDEX peerings_status_created ON peerings(status, created_at);
CREATE INDEX vpcs_account ON vpcs(account);
)sql";

// Version 5: route entries keyed by an integer, their ids derived from it (model/route_id.h), so
// that no index of ids is written. A route from before keeps its id in column id (NULL for a
// derived one); meta's route_next_key is the next key, never reused.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE routes_v5 (
  key INTEGER PRIMARY KEY, id TEXT, vpc_id TEXT NOT NULL REFERENCES vpcs(id), destination TEXT NOT NULL,
  next_hop TEXT NOT NULL REFERENCES peerings(id), created_at INTEGER NOT NULL);
INSERT INTO routes_v5 (key, id, vpc_id, destination, next_hop, created_at)
  SELECT rowid, id, vpc_id, destination, next_hop, created_at FROM routes ORDER BY rowid;
DROP TABLE routes;
ALTER TABLE routes_v5 RENAME TO routes;
CREATE UNIQUE INDEX routes_given_id ON routes(id) WHERE id IS NOT NULL;
CREATE INDEX routes_next_hop ON routes(next_hop);
CREATE INDEX routes_vpc_destination ON routes(vpc_id, destination);
INSERT OR REPLACE INTO meta (key, value) SELECT 'route_next_key', MAX(COALESCE(MAX(key), 0) + 1,
  COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'route_next_key'), 1)) FROM routes;
INSERT OR IGNORE INTO meta (key, value) VALUES ('route_id_salt', CAST(random() AS TEXT));
)sql";

// Version 6: price history. A price bills the hours from its effective_from on, so that a change
// leaves earlier hours' amounts as they were; the prices of before bill every hour, as they did.
// A pair is stored with its regions in order.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE prices_v6 (
  region_a TEXT NOT NULL, region_b TEXT NOT NULL, link_type TEXT NOT NULL, effective_from INTEGER NOT NULL,
  usd_per_gb REAL NOT NULL, PRIMARY KEY (region_a, region_b, link_type, effective_from));
INSERT INTO prices_v6 (region_a, region_b, link_type, effective_from, usd_per_gb)
  SELECT MIN(region_a, region_b), MAX(region_a, region_b), link_type, 0, usd_per_gb FROM prices;
DROP TABLE prices;
ALTER TABLE prices_v6 RENAME TO prices;
)sql";

// Version 7: a deleted connection's final counters in the one format of link_readings
// (store/counters_text.h), so that a new counter needs no column. Values are the bit patterns of
// unsigned counters: %llu writes them back as they were.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE archived_counters_v7 (
  pcc TEXT NOT NULL REFERENCES peerings(id), direction INTEGER NOT NULL, counters TEXT NOT NULL, PRIMARY KEY (pcc, direction));
INSERT INTO archived_counters_v7 (pcc, direction, counters)
  SELECT pcc, direction, printf('%llu,%llu,%llu,%llu,%llu,%llu,%llu', packets, bytes, drop_inactive, drop_no_route, drop_transit,
                                drop_ttl, drop_policer) FROM archived_counters;
DROP TABLE archived_counters;
ALTER TABLE archived_counters_v7 RENAME TO archived_counters;
)sql";

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
    auto version = one<int64_t>(db_, [](const Statement& s) { return s.i64(0); },
                                "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'");
    if (!version) {
        exec(kSchema);
        exec(kSchemaV2);
        exec(kSchemaV3);
        exec(kSchemaV4);
        exec(kSchemaV5);
        exec(kSchemaV6);
        exec(kSchemaV7);
        Statement(db_, "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", std::to_string(kSchemaVersion)).run();
    } else if (*version < kSchemaVersion) {
        if (*version < 2) exec(kSchemaV2);
        if (*version < 3) exec(kSchemaV3);
        if (*version < 4) exec(kSchemaV4);
        if (*version < 5) exec(kSchemaV5);
        if (*version < 6) exec(kSchemaV6);
        if (*version < 7) exec(kSchemaV7);
        Statement(db_, "UPDATE meta SET value = ? WHERE key = 'schema_version'", std::to_string(kSchemaVersion)).run();
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
    return one<std::string>(db_, [](const Statement& s) { return s.text(0); }, "SELECT value FROM settings WHERE key = ?", key);
}

void SqliteStore::set_setting(const std::string& key, const std::string& value) {
    Statement(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value).run();
}

void SqliteStore::ensure_account(AccountId account) { Statement(db_, "INSERT OR IGNORE INTO accounts (id) VALUES (?)", account).run(); }

std::vector<AccountId> SqliteStore::accounts() {
    return all<AccountId>(db_, [](const Statement& s) { return s.u64(0); }, "SELECT id FROM accounts ORDER BY id");
}

// ---- VPCs

void SqliteStore::insert(Vpc& v) {
    Statement(db_, "INSERT INTO vpcs (id, account, region, name, cidr, ipv6_cidr, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", v.id,
              v.account, v.region, v.name, v.cidr, v.ipv6_cidr, v.created_at)
        .run();
    v.key = static_cast<uint32_t>(sqlite3_last_insert_rowid(db_));
}

std::optional<Vpc> SqliteStore::find_vpc(const std::string& id) { return one<Vpc>(db_, read_vpc, kVpcCols + std::string("WHERE id = ?"), id); }

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

void SqliteStore::delete_vpc(const std::string& id) {
    delete_one(db_, "DELETE FROM vpcs WHERE id = ?", errors::Kind::Vpc, id);
}

// ---- vSwitches

void SqliteStore::insert(VSwitch& v) {
    uint32_t slot = smallest_free(db_, "SELECT slot FROM vswitches ORDER BY slot");
    Statement(db_, "INSERT INTO vswitches (id, slot, vpc_id, name, cidr, ipv6_cidr, created_at, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              v.id, slot, v.vpc_id, v.name, v.cidr, v.ipv6_cidr, v.created_at, v.account)
        .run();
    v.slot = slot;
}

std::optional<VSwitch> SqliteStore::find_vswitch(const std::string& id) {
    return one<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("WHERE id = ?"), id);
}

std::vector<VSwitch> SqliteStore::vswitches() { return all<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("ORDER BY rowid")); }

std::vector<VSwitch> SqliteStore::vswitches_of(const std::string& vpc_id) {
    return all<VSwitch>(db_, read_vswitch, kVSwitchCols + std::string("WHERE vpc_id = ? ORDER BY rowid"), vpc_id);
}

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

void SqliteStore::delete_instance(const std::string& id) { delete_one(db_, "DELETE FROM instances WHERE id = ?", errors::Kind::Instance, id); }

// ---- peering connections

void SqliteStore::insert(Peering& p) {
    uint32_t slot = smallest_free(db_, "SELECT slot FROM peerings WHERE status <> 'Deleted' ORDER BY slot");
    Statement(db_,
              "INSERT INTO peerings (id, slot, account, vpc_id, peer_account, peer_vpc_id, region, peer_region, bandwidth_mbps, "
              "link_type, status, name, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              p.id, slot, p.account, p.vpc_id, p.peer_account, p.peer_vpc_id, p.region, p.peer_region, p.bandwidth_mbps,
              p.link_type, p.status, p.name, p.description, p.created_at)
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
    return all<Peering>(db_, read_peering, kPeeringCols + std::string("WHERE (vpc_id = ?1 OR peer_vpc_id = ?1) AND status <> 'Deleted' ORDER BY rowid"),
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
                p.account, p.vpc_id, p.peer_account, p.peer_vpc_id, p.region, p.peer_region, p.bandwidth_mbps, p.link_type,
                p.status, p.name, p.description, p.created_at, p.id);
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
    auto next = one<int64_t>(db, [](const Statement& s) { return s.i64(0); },
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
            one<int64_t>(db_, [](const Statement& s) { return s.i64(0); }, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'route_id_salt'")
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

std::vector<RouteEntry> SqliteStore::routes() { return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("ORDER BY rowid")); }

std::vector<RouteEntry> SqliteStore::routes_of_vpc(const std::string& vpc_id) {
    return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE vpc_id = ? ORDER BY rowid"), vpc_id);
}

std::optional<RouteEntry> SqliteStore::any_route_of_vpc(const std::string& vpc_id) {
    return one<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE vpc_id = ? LIMIT 1"), vpc_id);
}

std::vector<RouteEntry> SqliteStore::routes_to(const std::string& vpc_id, const Cidr& destination) {
    return all<RouteEntry>(db_, route_reader(route_salt()), kRouteCols + std::string("WHERE vpc_id = ? AND destination = ? ORDER BY rowid"), vpc_id, destination);
}

std::vector<std::string> SqliteStore::route_destinations(const std::string& vpc_id) {
    return all<std::string>(db_, [](const Statement& s) { return s.text(0); }, "SELECT destination FROM routes WHERE vpc_id = ?", vpc_id);
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
    Statement(db_, "INSERT INTO events (time, resource, status, account, reason) VALUES (?, ?, ?, ?, ?)", e.time, e.resource,
              e.status, e.account, e.reason)
        .run();
}

std::vector<Event> SqliteStore::events(const std::string& resource_filter) {
    return all<Event>(
        db_, [](const Statement& s) { return Event{s.i64(0), s.text(1), s.text(2), s.u64(3), s.text(4)}; },
        "SELECT time, resource, status, account, reason FROM events WHERE substr(resource, 1, length(?1)) = ?1 ORDER BY time, seq",
        resource_filter);
}

// ---- whole-state reads

Snapshot SqliteStore::snapshot() { return Snapshot{vpcs(), vswitches(), instances(), live_peerings(), routes()}; }

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
