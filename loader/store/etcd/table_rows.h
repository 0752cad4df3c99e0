#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace xpeer::table_rows {

// The store's tables as rows any backend can hold: each row named by its table and primary key,
// its columns as JSON (INTEGER, REAL, TEXT, NULL). The SQLite schema stays the one definition of
// the desired state; etcd holds its rows (store/etcd/etcd_store.h).
struct Row {
    std::string table;
    nlohmann::json key;      // the primary key's values, in the key's column order
    nlohmann::json columns;  // column name -> value
};

// One SQLite connection, its statements prepared once each and kept (by their SQL text), and
// each table's key columns: a replica reads and writes its rows one at a time, and preparing a
// statement (pragma_table_info for a table's key, above all) cost more than running it. A
// table's key columns are read once: no table's key may change while this lives. Destroyed
// before the connection is closed.
class Db {
public:
    explicit Db(sqlite3* db) : db_(db) {}
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    sqlite3* handle() const { return db_; }
    // The statement of `sql`, reset and unbound when the returned handle goes.
    class Statement {
    public:
        explicit Statement(sqlite3_stmt* s) : s_(s) {}
        ~Statement();
        Statement(Statement&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
        Statement& operator=(Statement&&) = delete;
        sqlite3_stmt* get() const { return s_; }

    private:
        sqlite3_stmt* s_;
    };
    Statement prepared(const std::string& sql);
    const std::vector<std::string>& key_columns(const std::string& table);  // sqlite_sequence: "name"
    const std::vector<std::string>& columns(const std::string& table);      // every column, in the table's order

private:
    sqlite3* db_;
    std::map<std::string, sqlite3_stmt*> statements_;
    std::map<std::string, std::vector<std::string>> keys_, columns_;
};

// Tables that hold desired state: every table with a primary key, and sqlite_sequence (the
// AUTOINCREMENT counters, so that a VPC key is never reused), but not those named `local_prefix`*.
std::vector<std::string> tables(Db& db, const std::string& local_prefix);

std::vector<Row> all_rows(Db& db, const std::string& table);
// The row of `table` whose primary key is `key`, if there is one.
std::optional<Row> find_row(Db& db, const std::string& table, const nlohmann::json& key);
void put_row(Db& db, const Row& row);  // inserts or replaces
void delete_rows(Db& db, const std::string& table);
void delete_row(Db& db, const std::string& table, const nlohmann::json& key);
size_t count_rows(Db& db, const std::string& table);

}  // namespace xpeer::table_rows
