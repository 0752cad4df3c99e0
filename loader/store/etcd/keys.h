#pragma once
// The layout of xpeer's keys in etcd (docs/ETCD.md), written once: the store's rows and commit
// key, and what each host's agent says about itself beside them.
#include <string>

namespace xpeer::etcd {

struct Keys {
    std::string prefix = "/xpeer/v1/";

    std::string rows() const { return prefix + "rows/"; }     // rows/TABLE/[PRIMARY KEY]
    std::string commit() const { return prefix + "commit"; }  // written by every commit
    std::string hosts() const { return prefix + "hosts/"; }
    // {"pid": N, "since": unix seconds}, under the agent's lease: gone when the lease expires.
    std::string host_alive(const std::string& host) const { return hosts() + host + "/alive"; }
    // {"revision": R, "time": unix seconds}: the store's revision the host's data plane follows.
    std::string host_programmed(const std::string& host) const { return hosts() + host + "/programmed"; }
    // Written by every commit that changes something in the host's kernel (store/etcd/slices.h):
    // the key its agent watches.
    std::string host_slice(const std::string& host) const { return hosts() + host + "/slice"; }
    // Written instead by a commit that concerns every host (a host's row, a shared setting): every
    // agent watches it too.
    std::string every_slice() const { return prefix + "slices-all"; }
    // {"time_ms": T, "links": {"PCC/DIRECTION": "packets,bytes,..."}}: what the host's routers
    // counted of each connection (store/counters_text.h), for `stats` and `top` on any host.
    std::string host_links(const std::string& host) const { return hosts() + host + "/links"; }
    // {"time_ms": T, "lease_ms": L, "demand": {"PCC/DIRECTION": bytes per second}}: what the host's
    // VPCs offer on each link they send on together with other hosts' (telemetry/bandwidth_share.h).
    std::string host_demand(const std::string& host) const { return hosts() + host + "/demand"; }
};

}  // namespace xpeer::etcd
