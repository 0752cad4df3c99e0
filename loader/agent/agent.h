#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "controller/controller.h"

namespace xpeer {

class Deliveries;  // webhooks in flight (agent.cpp)

struct AgentOptions {
    std::chrono::milliseconds interval{1000};
    std::string metrics_address = "127.0.0.1";
    int metrics_port = 9464;  // 0: no HTTP server
    std::optional<int64_t> ticks;  // stop after this many samples (tests); forever if not set
};

// The agent: every interval it runs the expiry timer, samples every link into the store (so a
// restart loses at most one interval), evaluates alert rules and delivers their webhooks, and
// serves the last sample as Prometheus metrics. Stops on SIGINT or SIGTERM.
class Agent {
public:
    Agent(Controller& controller, AgentOptions options) : controller_(controller), options_(std::move(options)) {}
    void run();

private:
    void tick(std::string& exposition, Deliveries& deliveries);

    Controller& controller_;
    AgentOptions options_;
};

}  // namespace xpeer
