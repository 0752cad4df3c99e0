#include "agent/agent.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/metrics.h"
#include "agent/webhook.h"
#include "model/error.h"
#include "telemetry/alerts.h"

namespace xpeer {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

std::string alert_json(const AlertDelivery& d) {
    return nlohmann::json{{"alert", d.rule.id},
                          {"peering", d.rule.peering},
                          {"account", d.rule.account},
                          {"metric", alerts::to_string(d.rule.metric)},
                          {"threshold", d.rule.threshold},
                          {"for_seconds", d.rule.for_seconds},
                          {"status", d.change.change == "Fired" ? "firing" : "resolved"},
                          {"value", d.change.value},
                          {"time", d.change.time}}
        .dump();
}

}  // namespace

void Agent::tick(std::string& exposition) {
    controller_.expire_pending();
    auto samples = controller_.sample();
    exposition = metrics::exposition(samples, controller_.reason_stats());
    for (auto& d : controller_.evaluate_alerts(samples)) {
        d.change.delivery = d.rule.webhook.empty() ? "no webhook" : webhook::post(d.rule.webhook, alert_json(d));
        spdlog::info("alert {} on {}: {} ({} = {}), {}", d.rule.id, d.rule.peering, d.change.change, alerts::to_string(d.rule.metric),
                     d.change.value, d.change.delivery);
        controller_.record_delivery(d.change);
    }
}

void Agent::run() {
    g_stop = false;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::mutex mu;
    std::string exposition = metrics::exposition({}, controller_.reason_stats());

    httplib::Server server;
    std::thread http;
    if (options_.metrics_port > 0) {
        server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
            std::lock_guard lock(mu);
            res.set_content(exposition, "text/plain; version=0.0.4");
        });
        if (!server.bind_to_port(options_.metrics_address, options_.metrics_port))
            throw Error("Agent.MetricsPort", "cannot listen on " + options_.metrics_address + ":" + std::to_string(options_.metrics_port));
        http = std::thread([&] { server.listen_after_bind(); });
        spdlog::info("metrics on http://{}:{}/metrics", options_.metrics_address, options_.metrics_port);
    }
    int64_t n = 0;
    auto next = std::chrono::steady_clock::now();
    while (!g_stop && (!options_.ticks || n < *options_.ticks)) {
        std::string fresh;
        try {
            tick(fresh);
            std::lock_guard lock(mu);
            exposition = std::move(fresh);
        } catch (const std::exception& e) {
            spdlog::error("sample failed: {}", e.what());  // the next interval tries again
        }
        ++n;
        next += options_.interval;
        while (!g_stop && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (http.joinable()) {
        server.stop();
        http.join();
    }
}

}  // namespace xpeer
