#pragma once
// A host's agent in a store that several hosts share (etcd): it holds the host's lease, so that
// `host list` can tell a running agent from a gone one, reports the store revision its data plane
// follows, and hears of every commit that concerns the host (its slice key) as it happens.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "store/etcd/etcd_client.h"
#include "store/etcd/keys.h"

namespace xpeer {

class HostMembership {
public:
    // Grants the lease and writes the host's alive key under it (throws Store.Unreachable), then
    // keeps the lease alive and watches the host's slice key and every host's on threads of its
    // own from `revision` on.
    HostMembership(etcd::Client client, std::string host, std::chrono::seconds ttl, int64_t revision);
    ~HostMembership();  // revokes the lease: the host shows as gone at once, not after the TTL
    HostMembership(const HostMembership&) = delete;
    HostMembership& operator=(const HostMembership&) = delete;

    // Waits until a commit newer than `seen` that concerns this host is heard of, or until
    // `deadline`; the newest such commit's revision (`seen` if none).
    int64_t wait_for_slice(int64_t seen, std::chrono::steady_clock::time_point deadline);
    // Records that this host's data plane follows the store at `revision` (logged if etcd does
    // not answer: the next report carries a newer one).
    bool report_programmed(int64_t revision);  // false: not reported
    void stop();                               // wakes wait_for_slice at once

private:
    void hold_lease();
    void watch_slice(const std::string& key, int64_t from);
    void grant();

    etcd::Keys keys_;
    std::string host_;
    std::chrono::seconds ttl_;
    etcd::Client client_;  // the lease thread's; the watches and the reports use copies
    etcd::Client reporter_;
    int64_t lease_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable changed_;
    int64_t newest_ = 0;  // the newest revision of the slice keys heard of
    std::thread lease_thread_, slice_thread_, every_slice_thread_;
};

}  // namespace xpeer
