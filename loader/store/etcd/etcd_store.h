#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "store/etcd/etcd_client.h"
#include "store/etcd/kernel_lag.h"
#include "store/etcd/keys.h"
#include "store/etcd/table_rows.h"
#include "store/sqlite_store.h"

struct sqlite3_session;

namespace xpeer {

// The desired state in etcd v3, one key a row (docs/ETCD.md): `<prefix>rows/<table>/<key>`,
// the key a JSON array of the row's primary key, the value a JSON object of its columns.
//
// A process reads through a replica, a SQLite file of the same schema (the SqliteStore it is),
// loaded from etcd at one revision; the queries and rules are SqliteStore's own. A transaction
// brings the replica up to etcd's newest revision first, records what the command changes
// (SQLite's session extension), and commits it to etcd in one transaction that holds only if no
// row changed since that revision; otherwise nothing is written and the command fails with
// Error("Store.Conflict"), which Controller runs again from a fresh replica. Host-bound
// settings (the bpffs folder, the namespaces' names) stay in the replica, never in etcd.
class EtcdStore final : public SqliteStore {
public:
    // replica_path: the local SQLite file (created if missing, replaced if from another store).
    EtcdStore(etcd::Client client, const std::string& replica_path, std::string prefix = "/xpeer/v1/");
    ~EtcdStore() override;

    // The replica brought up to etcd's newest revision (a read outside a transaction sees the
    // replica as it is).
    void sync();
    int64_t refresh() override {
        sync();
        return revision_;
    }
    int64_t revision() const override { return revision_; }
    int64_t commit_revision() override;
    int64_t peering_revision(const std::string& id) override;
    std::string commit_key() const { return keys_.commit(); }

    std::map<std::string, HostPresence> host_presence() override;
    std::map<std::string, HostLinks> host_links() override;
    void publish_links(const std::string& host, const HostLinks& links) override;
    std::map<std::string, HostDemand> host_demand(const std::set<std::string>& hosts) override;
    void publish_demand(const std::string& host, const HostDemand& demand) override;
    bool kernel_behind() override;
    void kernel_caught_up() override;
    std::optional<KernelLag> kernel_lag() override;
    void as_kernel_follows(const std::function<void()>& fn) override;

protected:
    void begin_transaction() override;
    void commit_transaction() override;
    void rollback_transaction() noexcept override;

private:
    void catch_up();                        // the replica loaded afresh if etcd moved past it, under its write lock
    bool load_if_behind();                  // in catch_up's transaction; false: etcd holds no store yet
    void load(int64_t at, int64_t commit);  // every row, read at revision `at`; commit: the newest commit's
    // The rows that changed after the replica's revision up to `commit` (etcd's history), read at
    // `at`; false if a full load must do (the history compacted or cut short, a newer schema).
    bool load_changes(int64_t at, int64_t commit);
    // What the kernel follows of a row about to change, unless an older change recorded it.
    void record_lag(const std::string& table, const nlohmann::json& key);
    void forget_lag(bool known);  // the lag table emptied; known false: the changes are unknown
    std::vector<kernel_lag::RowChange> lag_rows();
    void bootstrap();
    bool has_table(const char* name);
    // From etcd_replica: "revision" (the rows), "commit" (the newest commit among them), "kernel_revision".
    int64_t local_revision(const char* key);
    void set_local(const char* key, int64_t value);
    struct Changes {
        std::vector<etcd::Op> ops;                // the rows' puts and deletes
        std::vector<kernel_lag::RowChange> rows;  // each row as it was and is
    };
    Changes changes();
    // The slice keys to write with `rows`: those of the hosts whose kernel holds something they
    // change, or the one every host watches.
    std::vector<std::string> slice_keys(const std::vector<kernel_lag::RowChange>& rows);
    // f(host, what, value) for each object under the hosts' keys: NAME/alive, NAME/programmed,
    // NAME/links (NAME/slice holds no object).
    void for_each_host_key(const std::function<void(const std::string&, const std::string&, const nlohmann::json&)>& f);
    void end_session() noexcept;

    table_rows::Db rows_{db()};  // the replica's rows, through kept statements
    etcd::Client client_;
    etcd::Keys keys_;
    std::string rows_prefix_;
    int64_t revision_ = 0;  // the etcd revision the replica held when the transaction began
    sqlite3_session* session_ = nullptr;
    std::vector<std::pair<std::string, int64_t>> sequences_;  // sqlite_sequence at begin
};

}  // namespace xpeer
