#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace xpeer::table_rows {

// The store's tables as rows any backend can hold: each row named by its table and primary key,
// its columns as JSON (INTEGER, REAL, TEXT, NULL). The SQLite schema stays the one definition of
// the desired state; etcd holds its rows (store/etcd/etcd_store.h).
struct Row {
    std::string table;
    nlohmann::json key;      // the primary key's values, in the key's column order
    nlohmann::json columns;  // column name -> value
};

// Tables that hold desired state: every table with a primary key, and sqlite_sequence (the
// AUTOINCREMENT counters, so that a VPC key is never reused), but not those named `local_prefix`*.
std::vector<std::string> tables(sqlite3* db, const std::string& local_prefix);

std::vector<Row> all_rows(sqlite3* db, const std::string& table);
// The row of `table` whose primary key is `key`, if there is one.
std::optional<Row> find_row(sqlite3* db, const std::string& table, const nlohmann::json& key);
void put_row(sqlite3* db, const Row& row);  // inserts or replaces
void delete_rows(sqlite3* db, const std::string& table);
size_t count_rows(sqlite3* db, const std::string& table);
void delete_row(sqlite3* db, const std::string& table, const nlohmann::json& key);

// The primary key's column names (sqlite_sequence: "name").
std::vector<std::string> key_columns(sqlite3* db, const std::string& table);

}  // namespace xpeer::table_rows
