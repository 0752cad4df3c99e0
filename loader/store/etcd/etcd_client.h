#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace xpeer::etcd {

// etcd v3 through its HTTP/JSON gateway (/v3/kv/..., /v3/lease/..., /v3/watch), which etcd 3.4
// serves on its client port: no gRPC stack, the HTTP client the agent already has. Keys and
// values are bytes; the gateway carries them base64-encoded and its 64-bit integers as strings.

struct KeyValue {
    std::string key, value;
    int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

struct RangeResult {
    int64_t revision = 0;  // the store's revision the range was read at
    std::vector<KeyValue> kvs;
    bool more = false;
};

// One write of a transaction.
struct Op {
    enum class Kind { Put, Delete } kind = Kind::Put;
    std::string key, value;
    int64_t lease = 0;
    static Op put(std::string key, std::string value, int64_t lease = 0) { return {Kind::Put, std::move(key), std::move(value), lease}; }
    static Op del(std::string key) { return {Kind::Delete, std::move(key), {}, 0}; }
};

// A condition of a transaction: every key of [key, range_end) (just key when range_end is empty)
// was last modified before `revision`; a key that does not exist satisfies it.
struct ModifiedBefore {
    std::string key, range_end;
    int64_t revision = 0;
};

struct WatchEvent {
    enum class Type { Put, Delete } type = Type::Put;
    KeyValue kv;  // for a delete: the key and the revision it was deleted at (mod_revision)
};

// The end of every key that starts with prefix: [prefix, prefix_end(prefix)) is the prefix.
std::string prefix_end(const std::string& prefix);

class Client {
public:
    // endpoints: "http://host:port" each; a request goes to the first that answers, and a
    // failed one moves on to the next.
    explicit Client(std::vector<std::string> endpoints, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    const std::vector<std::string>& endpoints() const { return endpoints_; }
    std::string endpoints_text() const;

    // revision 0: the newest. limit 0: no limit.
    RangeResult range(const std::string& key, const std::string& range_end, int64_t revision = 0, int64_t limit = 0);
    // Every key of the prefix, in key order, all read at one revision (*revision, 0 for the
    // newest, which is stored back), in pages.
    std::vector<KeyValue> range_prefix(const std::string& prefix, int64_t* revision, int64_t page = 2000);
    // The keys of the prefix last modified at revision `since` or later, read at revision `at` (0:
    // the newest): keys and revisions, no values.
    std::vector<KeyValue> modified_since(const std::string& prefix, int64_t since, int64_t at = 0);
    // The writes if every condition holds; the revision they made (0 if they were not made).
    int64_t txn(const std::vector<ModifiedBefore>& conditions, const std::vector<Op>& writes);
    int64_t put(const std::string& key, const std::string& value, int64_t lease = 0);
    int64_t del(const std::string& key, const std::string& range_end = {});

    int64_t grant_lease(int64_t ttl_seconds);  // its id
    int64_t keep_alive(int64_t lease);         // the TTL left; 0: the lease is gone
    void revoke(int64_t lease);

    // Events of the prefix from start_revision on, given to on_events a batch at a time (each
    // batch one or more revisions, in order) until stop is set or on_events returns false.
    // Returns normally when stopped; throws when the stream breaks, or with a compacted start
    // (Error "Store.Compacted": list again).
    void watch(const std::string& prefix, int64_t start_revision,
               const std::function<bool(int64_t revision, const std::vector<WatchEvent>&)>& on_events, const std::atomic<bool>& stop);

    // Every event of the prefix in revisions [from, to], in order (a watch from `from`, closed at
    // `to`); Error "Store.Compacted" once etcd's history no longer reaches `from`.
    std::vector<WatchEvent> history(const std::string& prefix, int64_t from, int64_t to);

private:
    // watch(), stopped when keep_going() says no.
    void watch_while(const std::string& prefix, int64_t start_revision,
                     const std::function<bool(int64_t revision, const std::vector<WatchEvent>&)>& on_events,
                     const std::function<bool()>& keep_going);
    // A write (`idempotent` false) that reached a member is never sent to another: whether it was
    // applied is unknown once the connection breaks or the member times out (Store.Unknown).
    // Members that have no leader (one is being elected) are asked again for up to 5 s.
    std::string post(const std::string& path, const std::string& body, bool idempotent = true);
    // One pass over the members; nullopt: none answered (why, in `failures`; `electing`: one said
    // it has no leader).
    std::optional<std::string> post_once(const std::string& path, const std::string& body, bool idempotent, std::string& failures,
                                         bool& electing);

    std::vector<std::string> endpoints_;
    std::chrono::milliseconds timeout_;
    size_t current_ = 0;  // the endpoint that answered last
};

}  // namespace xpeer::etcd
