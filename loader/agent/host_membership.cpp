#include "agent/host_membership.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace xpeer {
namespace {

int64_t unix_now() { return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// Sleeps up to `d`, in steps short enough to notice `stop` at once.
void nap(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

HostMembership::HostMembership(etcd::Client client, std::string host, std::chrono::seconds ttl, int64_t revision)
    : host_(std::move(host)), ttl_(ttl), client_(client), reporter_(client), newest_(revision) {
    grant();
    lease_thread_ = std::thread([this] { hold_lease(); });
    slice_thread_ = std::thread([this, revision] { watch_slice(keys_.host_slice(host_), revision + 1); });
    every_slice_thread_ = std::thread([this, revision] { watch_slice(keys_.every_slice(), revision + 1); });
}

HostMembership::~HostMembership() {
    stop();
    if (lease_thread_.joinable()) lease_thread_.join();
    for (auto* t : {&slice_thread_, &every_slice_thread_})
        if (t->joinable()) t->join();
    try {
        client_.revoke(lease_);
    } catch (const std::exception& e) {
        spdlog::warn("host {}: revoking its lease: {} (it expires in {} s)", host_, e.what(), ttl_.count());
    }
}

void HostMembership::stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    changed_.notify_all();
}

void HostMembership::grant() {
    lease_ = client_.grant_lease(ttl_.count());
    client_.put(keys_.host_alive(host_), nlohmann::json{{"pid", ::getpid()}, {"since", unix_now()}}.dump(), lease_);
}

void HostMembership::hold_lease() {
    const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) / 3;
    while (!stop_) {
        nap(period, stop_);
        if (stop_) return;
        try {
            if (client_.keep_alive(lease_) > 0) continue;
            // Expired while etcd was out of reach longer than the TTL: the host is alive again.
            grant();
            spdlog::warn("host {}: its lease had expired; holding a new one", host_);
        } catch (const std::exception& e) {
            spdlog::warn("host {}: keeping its lease alive: {}", host_, e.what());
        }
    }
}

// Only the commits that change something in this host's kernel write its slice key, or the key
// of every host's slice.
void HostMembership::watch_slice(const std::string& key, int64_t from) {
    etcd::Client watcher = client_;
    while (!stop_) {
        try {
            watcher.watch(
                key, from,
                [&](int64_t, const std::vector<etcd::WatchEvent>& events) {
                    std::lock_guard lock(mu_);
                    for (const auto& e : events) {
                        newest_ = std::max(newest_, e.kv.mod_revision);
                        from = e.kv.mod_revision + 1;
                    }
                    changed_.notify_all();
                    return true;
                },
                stop_);
        } catch (const std::exception& e) {
            if (stop_) return;
            spdlog::warn("host {}: watching {}: {}; reading it again", host_, key, e.what());
            nap(std::chrono::seconds(1), stop_);
            // Whatever was committed while the watch was down: the key says the newest, and
            // nothing newer wrote it up to the read's revision (from which a compacted history
            // does not stop the next watch).
            try {
                const auto marker = watcher.range(key, {});
                std::lock_guard lock(mu_);
                if (!marker.kvs.empty()) newest_ = std::max(newest_, marker.kvs.front().mod_revision);
                from = std::max(from, marker.revision + 1);
                changed_.notify_all();
            } catch (const std::exception&) {
                // still out of reach: the next watch says so
            }
        }
    }
}

int64_t HostMembership::wait_for_slice(int64_t seen, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    changed_.wait_until(lock, deadline, [&] { return stop_ || newest_ > seen; });
    return std::max(newest_, seen);
}

bool HostMembership::report_programmed(int64_t revision) {
    try {
        reporter_.put(keys_.host_programmed(host_), nlohmann::json{{"revision", revision}, {"time", unix_now()}}.dump());
        return true;
    } catch (const std::exception& e) {
        spdlog::warn("host {}: reporting programmed revision {}: {}", host_, revision, e.what());
        return false;
    }
}

}  // namespace xpeer
