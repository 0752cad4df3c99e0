#pragma once
#include "agent/metrics.h"
#include "agent/options.h"
#include "controller/controller.h"

namespace xpeer {

class Deliveries;  // webhooks in flight (agent.cpp)
struct AgentStatus;

// The agent: every interval it checks the kernel against the store and repairs drift, runs the
// expiry timer, samples every link into the store (so a restart loses at most one interval),
// evaluates alert rules and delivers their webhooks, and serves the last sample as Prometheus
// metrics and its own health. Stops on SIGINT or SIGTERM.
class Agent {
public:
    Agent(Controller& controller, const Config& config, AgentOptions options)
        : controller_(controller), config_(config), options_(std::move(options)) {}
    void run();

private:
    void run_tick(AgentStatus& status, Deliveries& deliveries);  // a failed tick is logged and shown in /healthz
    void tick(std::string& exposition, Deliveries& deliveries);
    void repair_drift();

    Controller& controller_;
    const Config& config_;  // where the store and the pins are, for the log
    AgentOptions options_;
    metrics::Drift drift_;
};

}  // namespace xpeer
