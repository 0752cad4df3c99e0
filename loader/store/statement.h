#pragma once
// Inside the store only: one prepared SQLite statement, and readers built on it.
#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

#include "model/errors.h"
#include "model/model.h"
#include "store/sqlite_store.h"

namespace xpeer::store_detail {

[[noreturn]] inline void fail(sqlite3* db, int rc, const std::string& step) {
    std::string what = "sqlite: " + step + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if ((rc & 0xff) == SQLITE_CONSTRAINT) throw errors::store_constraint(what);
    throw StoreError(what, rc);
}

// One prepared statement: bind the arguments in order, step through the rows, finalize.
class Statement {
public:
    template <typename... Args>
    Statement(sqlite3* db, const char* sql, const Args&... args) : db_(db), sql_(sql) {
        if (int rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); rc != SQLITE_OK) fail(db, rc, "prepare `" + sql_ + "`");
        try {
            int i = 0;
            (bind(++i, args), ...);
        } catch (...) {
            sqlite3_finalize(stmt_);  // the destructor does not run for a constructor that throws
            throw;
        }
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // True while there is a row to read.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) fail(db_, rc, "step `" + sql_ + "`");
        return false;
    }
    void run() {
        while (step()) {
        }
    }
    int changes() const { return sqlite3_changes(db_); }

    int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    uint64_t u64(int col) const { return static_cast<uint64_t>(i64(col)); }
    bool null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::string text(int col) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
    }
    std::optional<std::string> opt_text(int col) const { return null(col) ? std::nullopt : std::optional(text(col)); }
    Cidr cidr(int col) const { return Cidr::parse(text(col)); }
    std::optional<Cidr> opt_cidr(int col) const { return null(col) ? std::nullopt : std::optional(cidr(col)); }
    std::optional<IpAddr> opt_ip(int col) const { return null(col) ? std::nullopt : std::optional(IpAddr::parse(text(col))); }

private:
    void check(int i, int rc) {
        if (rc != SQLITE_OK) fail(db_, rc, "bind #" + std::to_string(i) + " of `" + sql_ + "`");
    }
    void bind(int i, int64_t v) { check(i, sqlite3_bind_int64(stmt_, i, v)); }
    void bind(int i, double v) { check(i, sqlite3_bind_double(stmt_, i, v)); }
    void bind(int i, uint64_t v) { bind(i, static_cast<int64_t>(v)); }  // AccountId and counters: bit pattern kept
    void bind(int i, uint32_t v) { bind(i, static_cast<int64_t>(v)); }
    void bind(int i, int v) { bind(i, static_cast<int64_t>(v)); }
    void bind(int i, const std::string& v) {
        check(i, sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    void bind(int i, const char* v) { bind(i, std::string(v)); }
    void bind(int i, const Cidr& v) { bind(i, v.str()); }
    void bind(int i, const IpAddr& v) { bind(i, v.str()); }
    void bind(int i, PeeringStatus v) { bind(i, to_string(v)); }
    void bind(int i, Direction v) { bind(i, to_int(v)); }
    template <typename T>
    void bind(int i, const std::optional<T>& v) {
        if (v)
            bind(i, *v);
        else
            check(i, sqlite3_bind_null(stmt_, i));
    }

    sqlite3* db_;
    std::string sql_;
    sqlite3_stmt* stmt_ = nullptr;
};

template <typename T, typename Read, typename... Args>
std::vector<T> all(sqlite3* db, Read read, const std::string& sql, const Args&... args) {
    Statement s(db, sql.c_str(), args...);
    std::vector<T> out;
    while (s.step()) out.push_back(read(s));
    return out;
}

template <typename T, typename Read, typename... Args>
std::optional<T> one(sqlite3* db, Read read, const std::string& sql, const Args&... args) {
    Statement s(db, sql.c_str(), args...);
    if (!s.step()) return std::nullopt;
    return read(s);
}

}  // namespace xpeer::store_detail
