#include "store/etcd/table_rows.h"

#include <sqlite3.h>

#include <memory>

#include "store/sqlite_store.h"

namespace xpeer::table_rows {
namespace {

using nlohmann::json;
using Stmt = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

Stmt prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr); rc != SQLITE_OK)
        throw StoreError("sqlite: prepare `" + sql + "`: " + sqlite3_errmsg(db), rc);
    return {s, sqlite3_finalize};
}

bool step(sqlite3* db, sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("sqlite: step `") + sqlite3_sql(s) + "`: " + sqlite3_errmsg(db), rc);
}

void bind(sqlite3* db, sqlite3_stmt* s, int i, const json& v) {
    int rc;
    if (v.is_null())
        rc = sqlite3_bind_null(s, i);
    else if (v.is_number_integer())
        rc = sqlite3_bind_int64(s, i, v.get<int64_t>());
    else if (v.is_number())
        rc = sqlite3_bind_double(s, i, v.get<double>());
    else if (v.is_string()) {
        const auto& t = v.get_ref<const std::string&>();
        rc = sqlite3_bind_text(s, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
    } else
        throw StoreError("store rows: a column value that is not a number, text or null: " + v.dump(), SQLITE_MISMATCH);
    if (rc != SQLITE_OK) throw StoreError(std::string("sqlite: bind `") + sqlite3_sql(s) + "`: " + sqlite3_errmsg(db), rc);
}

json value_of(sqlite3_stmt* s, int col) {
    switch (sqlite3_column_type(s, col)) {
        case SQLITE_INTEGER:
            return static_cast<int64_t>(sqlite3_column_int64(s, col));
        case SQLITE_FLOAT:
            return sqlite3_column_double(s, col);
        case SQLITE_TEXT:
            return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, col)),
                               static_cast<size_t>(sqlite3_column_bytes(s, col)));
        case SQLITE_NULL:
            return nullptr;
        default:
            throw StoreError(std::string("store rows: a BLOB in `") + sqlite3_sql(s) + "`", SQLITE_MISMATCH);
    }
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

Row row_of(sqlite3_stmt* s, const std::string& table, const std::vector<std::string>& key_cols) {
    Row r{table, json::array(), json::object()};
    for (int c = 0; c < sqlite3_column_count(s); ++c) r.columns[sqlite3_column_name(s, c)] = value_of(s, c);
    for (const auto& k : key_cols) r.key.push_back(r.columns.at(k));
    return r;
}

}  // namespace

Db::~Db() {
    for (auto& [sql, s] : statements_) sqlite3_finalize(s);
}

Db::Statement::~Statement() {
    if (!s_) return;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
}

Db::Statement Db::prepared(const std::string& sql) {
    auto [at, fresh] = statements_.try_emplace(sql, nullptr);
    if (fresh) {
        if (int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &at->second, nullptr); rc != SQLITE_OK) {
            statements_.erase(at);
            throw StoreError("sqlite: prepare `" + sql + "`: " + sqlite3_errmsg(db_), rc);
        }
    }
    return Statement(at->second);
}

const std::vector<std::string>& Db::key_columns(const std::string& table) {
    if (auto known = keys_.find(table); known != keys_.end()) return known->second;
    std::vector<std::string> out;
    if (table == "sqlite_sequence") {
        out = {"name"};
    } else {
        auto s = prepare(db_, "SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk");
        sqlite3_bind_text(s.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
        while (step(db_, s.get())) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
    }
    return keys_.emplace(table, std::move(out)).first->second;
}

const std::vector<std::string>& Db::columns(const std::string& table) {
    if (auto known = columns_.find(table); known != columns_.end()) return known->second;
    std::vector<std::string> out;
    auto s = prepare(db_, "SELECT name FROM pragma_table_info(?) ORDER BY cid");
    sqlite3_bind_text(s.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    while (step(db_, s.get())) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
    return columns_.emplace(table, std::move(out)).first->second;
}

std::vector<std::string> tables(Db& db, const std::string& local_prefix) {
    auto s = prepare(db.handle(), "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    std::vector<std::string> out;
    while (step(db.handle(), s.get())) {
        std::string name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
        if (name.starts_with(local_prefix)) continue;
        if (name == "sqlite_sequence" || !db.key_columns(name).empty()) out.push_back(std::move(name));
    }
    return out;
}

std::vector<Row> all_rows(Db& db, const std::string& table) {
    const auto& keys = db.key_columns(table);
    auto s = db.prepared("SELECT * FROM " + quoted(table));
    std::vector<Row> out;
    while (step(db.handle(), s.get())) out.push_back(row_of(s.get(), table, keys));
    return out;
}

namespace {

// `verb` FROM table WHERE its key is `key`, the key's values bound.
Db::Statement by_key(Db& db, const std::string& verb, const std::string& table, const json& key) {
    const auto& keys = db.key_columns(table);
    if (!key.is_array() || key.size() != keys.size())
        throw StoreError("store rows: key " + key.dump() + " does not fit table " + table, SQLITE_MISMATCH);
    std::string sql = verb + " FROM " + quoted(table) + " WHERE ";
    for (size_t i = 0; i < keys.size(); ++i) sql += (i ? " AND " : "") + quoted(keys[i]) + " = ?";
    auto s = db.prepared(sql);
    for (size_t i = 0; i < keys.size(); ++i) bind(db.handle(), s.get(), static_cast<int>(i + 1), key[i]);
    return s;
}

}  // namespace

std::optional<Row> find_row(Db& db, const std::string& table, const json& key) {
    auto s = by_key(db, "SELECT *", table, key);
    if (!step(db.handle(), s.get())) return std::nullopt;
    return row_of(s.get(), table, db.key_columns(table));
}

void delete_row(Db& db, const std::string& table, const json& key) {
    auto s = by_key(db, "DELETE", table, key);
    step(db.handle(), s.get());
}

void put_row(Db& db, const Row& row) {
    std::string cols, marks;
    for (const auto& [name, value] : row.columns.items()) {
        cols += (cols.empty() ? "" : ", ") + quoted(name);
        marks += marks.empty() ? "?" : ", ?";
    }
    // sqlite_sequence takes no REPLACE (it has no key): its row is deleted first.
    if (row.table == "sqlite_sequence") {
        auto d = db.prepared("DELETE FROM sqlite_sequence WHERE name = ?");
        bind(db.handle(), d.get(), 1, row.columns.at("name"));
        step(db.handle(), d.get());
    }
    auto s = db.prepared("INSERT OR REPLACE INTO " + quoted(row.table) + " (" + cols + ") VALUES (" + marks + ")");
    int i = 0;
    for (const auto& [name, value] : row.columns.items()) bind(db.handle(), s.get(), ++i, value);
    step(db.handle(), s.get());
}

void delete_rows(Db& db, const std::string& table) {
    auto s = db.prepared("DELETE FROM " + quoted(table));
    step(db.handle(), s.get());
}

size_t count_rows(Db& db, const std::string& table) {
    auto s = db.prepared("SELECT COUNT(*) FROM " + quoted(table));
    step(db.handle(), s.get());
    return static_cast<size_t>(sqlite3_column_int64(s.get(), 0));
}

}  // namespace xpeer::table_rows
