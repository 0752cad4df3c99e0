#pragma once
#include "agent/host_membership.h"
#include "agent/metrics.h"
#include "agent/options.h"
#include "controller/controller.h"

namespace xpeer {

class Deliveries;  // webhooks in flight (agent.cpp)
struct AgentStatus;

// The agent: every interval it runs the expiry timer, samples every link into the store (so a
// restart loses at most one interval),
// evaluates alert rules and delivers their webhooks, and serves the last sample as Prometheus
// metrics and its own health; every drift interval it checks the kernel against the store and
// repairs drift (the check reads every namespace, link and map entry: its cost grows with the
// host's VPCs, the sampling's does not). Stops on SIGINT or SIGTERM.
//
// With a membership (a host among several that share a store in etcd), it also follows the
// store: every commit that concerns this host (its slice key) is programmed into its kernel at
// once, and the revision programmed is reported; a report or a peering's activation that failed
// is tried again every interval.
class Agent {
public:
    Agent(Controller& controller, const Config& config, AgentOptions options, HostMembership* membership = nullptr)
        : controller_(controller), config_(config), options_(std::move(options)), membership_(membership) {}
    void run();

private:
    void run_tick(AgentStatus& status, Deliveries& deliveries);  // a failed tick is logged and shown in /healthz
    void tick(std::string& exposition, Deliveries& deliveries);
    void repair_drift();
    void follow_store();                                          // the kernel made to follow the store's newest revision, and reported
    void report_and_settle();                                     // the revision programmed reported; Updating peerings settled
    void wait_until(std::chrono::steady_clock::time_point next);  // following the store meanwhile

    Controller& controller_;
    const Config& config_;  // where the store and the pins are, for the log
    AgentOptions options_;
    metrics::Drift drift_;
    HostMembership* membership_;
    int64_t programmed_ = 0;                          // the store revision the kernel follows
    int64_t reported_ = 0;                            // the last programmed revision etcd holds
    bool settle_failed_ = false;                      // the last settle_rollouts() threw: the tick tries again
    std::chrono::steady_clock::time_point retry_at_;  // after a failed follow_store()
    std::chrono::steady_clock::time_point check_at_;  // the next drift check
};

}  // namespace xpeer
