#include "store/etcd/etcd_store.h"

// The session extension (changesets), which Debian builds into libsqlite3.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "model/errors.h"
#include "store/counters_text.h"
#include "store/etcd/host_keys.h"
#include "store/etcd/slices.h"
#include "store/etcd/table_rows.h"

namespace xpeer {
namespace {

using nlohmann::json;

constexpr const char* kLocalTablePrefix = "etcd_";  // the replica's own bookkeeping, never in etcd

// Beyond this many rows, the kernel is rebuilt from the store rather than patched: a replica no
// kernel follows (a machine that runs commands only) keeps no more than this.
constexpr size_t kLagRows = 10000;

// Tables of one host's kernel objects and readings: each host keeps its own rows, never shared.
// The replica's own key for the revision that last wrote connection `id`'s row.
std::string peering_local(const std::string& id) { return "peering/" + id; }

// The connection's id, if `key` is a peerings row's primary key.
std::optional<std::string> peering_id(const json& key) {
    if (key.is_array() && key.size() == 1 && key[0].is_string()) return key[0].get<std::string>();
    return std::nullopt;
}

bool host_local(const std::string& table) { return table == "vswitch_ports" || table == "link_readings"; }

// Rows that bind a store to one host's kernel objects: each host has its own.
bool host_bound(const std::string& table, const json& key) {
    if (host_local(table)) return true;
    static const std::set<std::string> keys{"bpffs",           "datapath_netns",        "netns_prefix",
                                            kLocalHostSetting, kUnderlayIfindexSetting, kUnderlayBandwidthSetting};
    return table == "settings" && key.size() == 1 && key[0].is_string() && keys.contains(key[0].get<std::string>());
}

json json_of(sqlite3_value* v) {
    switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER:
            return static_cast<int64_t>(sqlite3_value_int64(v));
        case SQLITE_FLOAT:
            return sqlite3_value_double(v);
        case SQLITE_TEXT:
            return std::string(reinterpret_cast<const char*>(sqlite3_value_text(v)), static_cast<size_t>(sqlite3_value_bytes(v)));
        default:
            return nullptr;
    }
}

std::vector<std::pair<std::string, int64_t>> sequences_of(table_rows::Db& db) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& r : table_rows::all_rows(db, "sqlite_sequence"))
        out.emplace_back(r.columns.at("name").get<std::string>(), r.columns.at("seq").get<int64_t>());
    return out;
}

}  // namespace

EtcdStore::EtcdStore(etcd::Client client, const std::string& replica_path, std::string prefix)
    : SqliteStore(replica_path), client_(std::move(client)), keys_{std::move(prefix)}, rows_prefix_(keys_.rows()) {
    if (!has_table("etcd_replica") && !table_rows::all_rows(rows_, "vpcs").empty())
        throw errors::store_refused(replica_path + " is a store of its own (it has VPCs), not a replica of etcd at " +
                                    client_.endpoints_text() + ": give --state a file of its own for the replica");
    exec("CREATE TABLE IF NOT EXISTS etcd_replica (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    // The rows loaded since the kernel last followed the replica, as it follows them (was: NULL
    // for a row it does not have).
    exec("CREATE TABLE IF NOT EXISTS etcd_kernel_lag (tbl TEXT NOT NULL, key TEXT NOT NULL, was TEXT, PRIMARY KEY (tbl, key))");
    sync();
}

EtcdStore::~EtcdStore() { end_session(); }

bool EtcdStore::has_table(const char* name) {
    for (const auto& t : table_rows::tables(rows_, "\x01"))
        if (t == name) return true;
    return false;
}

int64_t EtcdStore::local_revision(const char* key) {
    // A replica of another store (another prefix) holds nothing of this one.
    auto prefix = table_rows::find_row(rows_, "etcd_replica", json::array({"rows_prefix"}));
    if (!prefix || prefix->columns.at("value") != rows_prefix_) return 0;
    auto r = table_rows::find_row(rows_, "etcd_replica", json::array({key}));
    return r ? std::stoll(r->columns.at("value").get<std::string>()) : 0;
}

void EtcdStore::set_local(const char* key, int64_t value) {
    table_rows::put_row(rows_, {"etcd_replica", json::array({key}), {{"key", key}, {"value", std::to_string(value)}}});
    table_rows::put_row(rows_, {"etcd_replica", json::array({"rows_prefix"}), {{"key", "rows_prefix"}, {"value", rows_prefix_}}});
}

void EtcdStore::sync() {
    catch_up();
    revision_ = local_revision("revision");
}

// Several processes of one host share the replica: the check and the load happen under its
// write lock, and a replica never goes back to an older revision than another process loaded.
void EtcdStore::catch_up() {
    bool bootstrapped = false;
    for (int attempt = 1;; ++attempt) {
        exec("PRAGMA foreign_keys = OFF");  // rows arrive in key order, not in the order foreign keys need
        bool loaded = false;
        try {
            SqliteStore::begin_transaction();
            loaded = load_if_behind();
            SqliteStore::commit_transaction();
            exec("PRAGMA foreign_keys = ON");
        } catch (const Error& e) {
            SqliteStore::rollback_transaction();
            exec("PRAGMA foreign_keys = ON");
            if (e.code() == errors::code::StoreCompacted && attempt < 3) continue;  // compacted mid-read: read the newest
            throw;
        } catch (...) {
            SqliteStore::rollback_transaction();
            exec("PRAGMA foreign_keys = ON");
            throw;
        }
        if (loaded || bootstrapped) return;
        bootstrap();
        bootstrapped = true;
    }
}

bool EtcdStore::load_if_behind() {
    // Every commit writes the commit key: no row changed after its mod_revision. The rows are
    // read at the revision of this read, which no compaction has reached yet.
    const etcd::RangeResult marker = client_.range(commit_key(), {});
    if (marker.kvs.empty()) return false;
    const int64_t have = local_revision("revision");
    if (have && marker.kvs.front().mod_revision <= have) return true;
    if (have && load_changes(marker.revision, marker.kvs.front().mod_revision)) return true;
    load(marker.revision, marker.kvs.front().mod_revision);
    forget_lag(false);
    return true;
}

bool EtcdStore::load_changes(int64_t at, int64_t commit) {
    std::vector<etcd::WatchEvent> events;
    try {
        events = client_.history(rows_prefix_, local_revision("revision") + 1, commit);
    } catch (const Error&) {  // compacted, or cut short: every row again
        return false;
    }
    const auto tables = table_rows::tables(rows_, kLocalTablePrefix);
    const std::set<std::string> known(tables.begin(), tables.end());
    bool vswitch_deleted = false;
    for (const auto& e : events) {
        const auto slash = e.kv.key.find('/', rows_prefix_.size());
        if (slash == std::string::npos) continue;
        const std::string table = e.kv.key.substr(rows_prefix_.size(), slash - rows_prefix_.size());
        const json key = json::parse(e.kv.key.substr(slash + 1), nullptr, false);
        if (!known.contains(table) || !key.is_array()) return false;  // a newer schema's: load() says so
        if (host_bound(table, key)) continue;
        const bool put = e.type == etcd::WatchEvent::Type::Put;
        json columns;
        if (put) {
            columns = json::parse(e.kv.value, nullptr, false);
            if (!columns.is_object()) return false;
            if (table == "meta" && key == json::array({"schema_version"})) return false;  // load() checks it
        }
        record_lag(table, key);
        if (put)
            table_rows::put_row(rows_, {table, key, columns});
        else
            table_rows::delete_row(rows_, table, key);
        vswitch_deleted |= !put && table == "vswitches";
        if (auto id = table == "peerings" ? peering_id(key) : std::nullopt) {
            const std::string local = peering_local(*id);
            if (put)
                set_local(local.c_str(), e.kv.mod_revision);
            else
                table_rows::delete_row(rows_, "etcd_replica", json::array({local}));
        }
    }
    // Gone with their vSwitch; the kernel still has their entries.
    if (vswitch_deleted) {
        for (const auto& port : table_rows::all_rows(rows_, "vswitch_ports"))
            if (!table_rows::find_row(rows_, "vswitches", port.key)) record_lag("vswitch_ports", port.key);
        exec("DELETE FROM vswitch_ports WHERE vswitch_id NOT IN (SELECT id FROM vswitches)");
    }
    set_local("revision", at);
    set_local("commit", commit);
    return true;
}

void EtcdStore::record_lag(const std::string& table, const json& key) {
    if (local_revision("kernel_lag_unknown")) return;
    const json lag_key = json::array({table, key.dump()});
    if (table_rows::find_row(rows_, "etcd_kernel_lag", lag_key)) return;
    if (table_rows::count_rows(rows_, "etcd_kernel_lag") >= kLagRows) return forget_lag(false);
    auto was = table_rows::find_row(rows_, table, key);
    table_rows::put_row(
        rows_,
        {"etcd_kernel_lag", lag_key, {{"tbl", table}, {"key", key.dump()}, {"was", was ? json(was->columns.dump()) : json(nullptr)}}});
}

void EtcdStore::forget_lag(bool known) {
    table_rows::delete_rows(rows_, "etcd_kernel_lag");
    set_local("kernel_lag_unknown", known ? 0 : 1);
}

std::vector<kernel_lag::RowChange> EtcdStore::lag_rows() {
    std::vector<kernel_lag::RowChange> out;
    for (const auto& r : table_rows::all_rows(rows_, "etcd_kernel_lag")) {
        kernel_lag::RowChange c;
        c.table = r.columns.at("tbl").get<std::string>();
        c.key = json::parse(r.columns.at("key").get<std::string>());
        if (r.columns.at("was").is_string()) c.was = json::parse(r.columns.at("was").get<std::string>());
        if (auto now = table_rows::find_row(rows_, c.table, c.key)) c.now = std::move(now->columns);
        out.push_back(std::move(c));
    }
    return out;
}

// A store that etcd does not hold yet starts with the rows a new schema writes (its version, the
// route id salt, the default prices); whoever writes them first, every replica then loads them.
void EtcdStore::bootstrap() {
    std::vector<etcd::Op> ops;
    for (const char* table : {"meta", "prices"})
        for (const auto& row : table_rows::all_rows(rows_, table))
            ops.push_back(etcd::Op::put(rows_prefix_ + table + "/" + row.key.dump(), row.columns.dump()));
    ops.push_back(etcd::Op::put(commit_key(), "bootstrap"));
    client_.txn({{commit_key(), {}, 1}}, ops);
}

void EtcdStore::load(int64_t at, int64_t commit) {
    int64_t revision = at;
    const std::vector<etcd::KeyValue> kvs = client_.range_prefix(rows_prefix_, &revision);
    std::map<std::string, std::vector<table_rows::Row>> by_table;
    std::map<std::string, int64_t> peering_revisions;  // the commit that last wrote each connection's row
    for (const auto& kv : kvs) {
        const auto slash = kv.key.find('/', rows_prefix_.size());
        if (slash == std::string::npos) continue;
        table_rows::Row row{kv.key.substr(rows_prefix_.size(), slash - rows_prefix_.size()), json::parse(kv.key.substr(slash + 1)),
                            json::parse(kv.value)};
        if (auto id = row.table == "peerings" ? peering_id(row.key) : std::nullopt) peering_revisions[*id] = kv.mod_revision;
        by_table[row.table].push_back(std::move(row));
    }
    if (auto meta = by_table.find("meta"); meta != by_table.end())
        for (const auto& row : meta->second)
            if (row.key == json::array({"schema_version"}) && std::stoll(row.columns.at("value").get<std::string>()) > kSchemaVersion)
                throw errors::store_schema_version("etcd at " + client_.endpoints_text() + " holds schema version " +
                                                   row.columns.at("value").get<std::string>() + ", newer than this xpeer's " +
                                                   std::to_string(kSchemaVersion));
    const auto tables = table_rows::tables(rows_, kLocalTablePrefix);
    for (const auto& table : tables) {
        if (host_local(table)) continue;
        if (table == "settings") {
            for (const auto& row : table_rows::all_rows(rows_, table))
                if (!host_bound(table, row.key)) table_rows::delete_row(rows_, table, row.key);
            continue;
        }
        table_rows::delete_rows(rows_, table);
    }
    const std::set<std::string> known(tables.begin(), tables.end());
    for (const auto& [table, rows] : by_table) {
        if (!known.contains(table) || host_local(table)) continue;  // a table of a newer schema version: refused above
        for (const auto& row : rows)
            if (!host_bound(table, row.key)) table_rows::put_row(rows_, row);
    }
    exec("DELETE FROM vswitch_ports WHERE vswitch_id NOT IN (SELECT id FROM vswitches)");  // gone with their vSwitch
    set_local("revision", at);
    set_local("commit", commit);
    exec("DELETE FROM etcd_replica WHERE key LIKE 'peering/%'");
    for (const auto& [id, rev] : peering_revisions) set_local(peering_local(id).c_str(), rev);
}

int64_t EtcdStore::peering_revision(const std::string& id) {
    const int64_t rev = local_revision(peering_local(id).c_str());
    return rev ? rev : commit_revision();  // a replica loaded by a build before this one
}

// A replica loaded by a build before this one knows its read revision only, which is no older.
int64_t EtcdStore::commit_revision() {
    const int64_t commit = local_revision("commit");
    return commit ? commit : local_revision("revision");
}

void EtcdStore::begin_transaction() {
    // Brought up to date, then locked: a process that loads a newer revision in between makes
    // this transaction's commit fail (its guard is the revision the replica holds under the lock).
    catch_up();
    SqliteStore::begin_transaction();
    revision_ = local_revision("revision");
    if (int rc = sqlite3session_create(db(), "main", &session_); rc != SQLITE_OK) {
        SqliteStore::rollback_transaction();
        throw StoreError("sqlite: sqlite3session_create: " + std::string(sqlite3_errstr(rc)), rc);
    }
    sqlite3session_attach(session_, nullptr);
    sequences_ = sequences_of(rows_);
}

void EtcdStore::end_session() noexcept {
    if (session_) sqlite3session_delete(session_);
    session_ = nullptr;
}

EtcdStore::Changes EtcdStore::changes() {
    int size = 0;
    void* buffer = nullptr;
    if (int rc = sqlite3session_changeset(session_, &size, &buffer); rc != SQLITE_OK)
        throw StoreError("sqlite: sqlite3session_changeset: " + std::string(sqlite3_errstr(rc)), rc);
    std::unique_ptr<void, decltype(&sqlite3_free)> owned(buffer, sqlite3_free);
    // table, key JSON -> the columns the command changed, as they were (none for a new row)
    std::map<std::pair<std::string, std::string>, std::optional<json>> changed;
    sqlite3_changeset_iter* it = nullptr;
    if (int rc = sqlite3changeset_start(&it, size, buffer); rc != SQLITE_OK)
        throw StoreError("sqlite: sqlite3changeset_start: " + std::string(sqlite3_errstr(rc)), rc);
    while (sqlite3changeset_next(it) == SQLITE_ROW) {
        const char* table = nullptr;
        int columns = 0, op = 0, indirect = 0;
        unsigned char* pk = nullptr;
        sqlite3changeset_op(it, &table, &columns, &op, &indirect);
        sqlite3changeset_pk(it, &pk, &columns);
        if (std::string(table).starts_with(kLocalTablePrefix)) continue;
        json key = json::array();
        std::optional<json> was;
        if (op != SQLITE_INSERT) was = json::object();
        const auto& names = rows_.columns(table);
        for (int c = 0; c < columns; ++c) {
            sqlite3_value* v = nullptr;
            if (op == SQLITE_INSERT)
                sqlite3changeset_new(it, c, &v);
            else
                sqlite3changeset_old(it, c, &v);  // an update's: the key's and the changed columns' only
            if (pk[c]) key.push_back(v ? json_of(v) : json(nullptr));
            if (was && v && static_cast<size_t>(c) < names.size()) (*was)[names[static_cast<size_t>(c)]] = json_of(v);
        }
        if (host_bound(table, key)) continue;
        changed.emplace(std::pair{std::string(table), key.dump()}, std::move(was));
    }
    sqlite3changeset_finalize(it);

    Changes out;
    for (auto& [name, was] : changed) {
        const auto& [table, key_text] = name;
        kernel_lag::RowChange row{table, json::parse(key_text), std::move(was), std::nullopt};
        const std::string key = rows_prefix_ + table + "/" + key_text;
        if (auto now = table_rows::find_row(rows_, table, row.key)) {
            out.ops.push_back(etcd::Op::put(key, now->columns.dump()));
            if (row.was) {  // with the columns an update left as they were
                json was = now->columns;
                was.update(*row.was);
                row.was = std::move(was);
            }
            row.now = std::move(now->columns);
        } else {
            out.ops.push_back(etcd::Op::del(key));
        }
        out.rows.push_back(std::move(row));
    }
    std::map<std::string, int64_t> before(sequences_.begin(), sequences_.end());
    for (const auto& [table, seq] : sequences_of(rows_))
        if (auto b = before.find(table); b == before.end() || b->second != seq)
            out.ops.push_back(
                etcd::Op::put(rows_prefix_ + "sqlite_sequence/" + json::array({table}).dump(), json{{"name", table}, {"seq", seq}}.dump()));
    return out;
}

std::vector<std::string> EtcdStore::slice_keys(const std::vector<kernel_lag::RowChange>& rows) {
    const slices::Concerned c = slices::concerned(rows, slices::lookup_in(*this));
    if (c.every_host) return {keys_.every_slice()};  // one key, not one a host: a host's registration is not O(hosts)
    std::vector<std::string> out;
    for (const auto& host : c.hosts) out.push_back(keys_.host_slice(host));
    return out;
}

void EtcdStore::commit_transaction() {
    Changes c = changes();
    end_session();
    std::vector<etcd::Op>& ops = c.ops;
    if (ops.empty()) {
        SqliteStore::commit_transaction();
        return;
    }
    const std::string rows = std::to_string(ops.size()) + " rows";
    for (const auto& key : slice_keys(c.rows)) ops.push_back(etcd::Op::put(key, rows));
    ops.push_back(etcd::Op::put(commit_key(), rows));
    int64_t rev = 0;
    try {
        rev = client_.txn({{commit_key(), {}, revision_ + 1}}, ops);
    } catch (...) {
        SqliteStore::rollback_transaction();  // etcd unreachable, refused, or the outcome unknown: the next command reloads
        throw;
    }
    if (!rev) {
        SqliteStore::rollback_transaction();
        throw errors::store_conflict("etcd at " + client_.endpoints_text() + ": the store changed after revision " +
                                     std::to_string(revision_) + ", which this command read; nothing was written");
    }
    // The maps followed revision_ and this command's changes: they follow rev now. Otherwise
    // (a process without a data plane) the lag does not hold this command's rows.
    if (local_revision("kernel_revision") == revision_)
        set_local("kernel_revision", rev);
    else
        forget_lag(false);
    set_local("revision", rev);
    set_local("commit", rev);
    const std::string peerings = rows_prefix_ + "peerings/";
    for (const auto& op : ops) {
        if (!op.key.starts_with(peerings)) continue;
        if (auto id = peering_id(json::parse(op.key.substr(peerings.size()), nullptr, false))) set_local(peering_local(*id).c_str(), rev);
    }
    SqliteStore::commit_transaction();
    revision_ = rev;
}

void EtcdStore::rollback_transaction() noexcept {
    end_session();
    SqliteStore::rollback_transaction();
}

}  // namespace xpeer

namespace xpeer {

bool EtcdStore::kernel_behind() { return local_revision("kernel_revision") != local_revision("revision"); }

void EtcdStore::kernel_caught_up() {
    set_local("kernel_revision", local_revision("revision"));
    forget_lag(true);
}

std::optional<KernelLag> EtcdStore::kernel_lag() {
    if (local_revision("kernel_lag_unknown") || !local_revision("kernel_revision")) return std::nullopt;
    const auto changes = lag_rows();
    if (changes.empty()) return std::nullopt;  // behind, yet nothing recorded: a replica of a build before this one
    const slices::Lookup lookup = slices::lookup_in(*this);
    const auto host_of_vswitch = [&](const std::string& id) { return slices::host_of(id, changes, lookup); };
    return kernel_lag::of(changes, setting(kLocalHostSetting).value_or(""), host_of_vswitch);
}

void EtcdStore::as_kernel_follows(const std::function<void()>& fn) {
    if (session_) sqlite3session_enable(session_, 0);
    exec("SAVEPOINT kernel_follows");
    // The rows go back one by one: a route may come back before its VPC does.
    exec("PRAGMA defer_foreign_keys = ON");
    const auto put_back = [&] {
        for (const auto& c : lag_rows()) {
            if (c.was)
                table_rows::put_row(rows_, {c.table, c.key, *c.was});
            else
                table_rows::delete_row(rows_, c.table, c.key);
        }
        fn();
    };
    const auto undo = [&] {
        exec("ROLLBACK TO kernel_follows");
        exec("RELEASE kernel_follows");
        exec("PRAGMA defer_foreign_keys = OFF");
        if (session_) sqlite3session_enable(session_, 1);
    };
    try {
        put_back();
    } catch (...) {
        undo();
        throw;
    }
    undo();
}

void EtcdStore::for_each_host_key(const std::function<void(const std::string&, const std::string&, const json&)>& f) {
    int64_t at = 0;
    for (const auto& kv : client_.range_prefix(keys_.hosts(), &at)) {
        const std::string rest = kv.key.substr(keys_.hosts().size());  // NAME/alive, NAME/programmed, NAME/links
        const auto slash = rest.rfind('/');
        if (slash == std::string::npos) continue;
        const json value = json::parse(kv.value, nullptr, false);
        if (value.is_object()) f(rest.substr(0, slash), rest.substr(slash + 1), value);
    }
}

std::map<std::string, HostLinks> EtcdStore::host_links() {
    std::map<std::string, HostLinks> out;
    for_each_host_key([&](const std::string& host, const std::string& what, const json& value) {
        if (what != "links" || !value.contains("links") || !value["links"].is_object()) return;
        HostLinks& h = out[host];
        if (auto t = value.find("time_ms"); t != value.end() && t->is_number_integer()) h.time_ms = t->get<int64_t>();
        for (const auto& [name, text] : value["links"].items()) {
            const auto link = etcd::link_of_name(name);
            if (!link || !text.is_string()) continue;
            try {
                h.totals[*link] = store_detail::parse_counters(text.get<std::string>(), "host links");
            } catch (const std::exception&) {
                continue;  // another build's format: its host publishes again within an interval
            }
        }
    });
    return out;
}

void EtcdStore::publish_links(const std::string& host, const HostLinks& links) {
    json totals = json::object();
    for (const auto& [key, counters] : links.totals) totals[etcd::link_name(key)] = store_detail::counters_text(counters);
    client_.put(keys_.host_links(host), json{{"time_ms", links.time_ms}, {"links", totals}}.dump());
}

std::map<std::string, HostDemand> EtcdStore::host_demand(const std::set<std::string>& hosts) {
    std::map<std::string, HostDemand> out;
    for (const auto& host : hosts) {  // a few keys of the hosts named: not a range over every host
        const auto got = client_.range(keys_.host_demand(host), "");
        if (got.kvs.empty()) continue;
        if (auto d = etcd::demand_of(got.kvs.front().value))
            out[host] = *d;
        else
            spdlog::warn("{}: not a demand this build reads; {} counts as not heard from", keys_.host_demand(host), host);
    }
    return out;
}

void EtcdStore::publish_demand(const std::string& host, const HostDemand& demand) {
    client_.put(keys_.host_demand(host), etcd::demand_text(demand));
}

std::map<std::string, HostPresence> EtcdStore::host_presence() {
    std::map<std::string, HostPresence> out;
    for_each_host_key([&](const std::string& host, const std::string& what, const json& value) {
        if (what != "alive" && what != "programmed") return;
        HostPresence& p = out[host];
        if (what == "alive") {
            p.alive = true;
            p.pid = value.value("pid", int64_t{0});
        } else if (what == "programmed") {
            p.programmed_revision = value.value("revision", int64_t{0});
        }
    });
    return out;
}

}  // namespace xpeer
