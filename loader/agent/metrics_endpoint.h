#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/health.h"
#include "agent/options.h"

namespace xpeer {

class HttpServer;

// What the agent shows between ticks: the last good sample's exposition and the loop's health.
// The HTTP server's threads read it under mu.
struct AgentStatus {
    std::mutex mu;
    std::string exposition;
    health::Ticks ticks;
};

int64_t wall_ms();  // unix time in milliseconds

// /metrics and /healthz of `status`, served on the options' address and port (none for port 0),
// behind the bearer token of --metrics-token-file if one is given. Stops when destroyed.
class MetricsEndpoint {
public:
    // Error("Agent.MetricsPort") if it cannot listen.
    MetricsEndpoint(const AgentOptions& options, AgentStatus& status);
    ~MetricsEndpoint();
    MetricsEndpoint(const MetricsEndpoint&) = delete;
    MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

    const std::string& description() const { return description_; }  // where, and whether a token guards it

private:
    std::string token_;  // the guard's, for the server's lifetime
    std::unique_ptr<HttpServer> server_;
    std::thread http_;
    std::string description_ = "none (--metrics-port 0)";
};

}  // namespace xpeer
