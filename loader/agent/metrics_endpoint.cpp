#include "agent/metrics_endpoint.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "agent/bearer_token.h"
#include "agent/http_server.h"
#include "model/errors.h"
#include "telemetry/webhook_address.h"

namespace xpeer {

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

MetricsEndpoint::MetricsEndpoint(const AgentOptions& options, AgentStatus& status) {
    if (options.metrics_port <= 0) return;
    token_ = options.metrics_token_file.empty() ? "" : bearer_token::read_file(options.metrics_token_file);
    const std::string& token = token_;
    server_ = std::make_unique<HttpServer>();
    bearer_token::guard(*server_, token);
    server_->Get("/metrics", [&status](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(status.mu);
        res.set_content(status.exposition, "text/plain; version=0.0.4");
    });
    server_->Get("/healthz", [&status, interval = options.interval](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(status.mu);
        auto r = health::report(status.ticks, wall_ms(), interval);
        res.status = r.status;
        res.set_content(r.json + "\n", "application/json");
    });
    const std::string& address = options.metrics_address;
    if (!server_->bind_to_port(address, options.metrics_port))
        throw errors::agent_metrics_port("cannot listen on " + address + ":" + std::to_string(options.metrics_port));
    http_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // stop() before this is lost
    const bool v6 = address.find(':') != std::string::npos;
    description_ = "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(options.metrics_port) + "/metrics and /healthz" +
                   (token.empty() ? " (no token)" : " (bearer token)");
    if (token.empty() && webhook_address::literal_rule(address) != "loopback")
        spdlog::warn("metrics on {} without --metrics-token-file: every account's connections to anyone who can connect", address);
}

MetricsEndpoint::~MetricsEndpoint() {
    if (!http_.joinable()) return;
    server_->stop();
    http_.join();
}

}  // namespace xpeer
