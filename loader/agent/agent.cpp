#include "agent/agent.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/health.h"
#include "agent/metrics.h"
#include "agent/metrics_endpoint.h"
#include "agent/webhook.h"
#include "model/errors.h"
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

// Webhooks are POSTed on a thread of their own, so that a slow receiver does not hold up
// sampling; their results come back to the main thread, the only one using the controller.
class Deliveries {
public:
    explicit Deliveries(bool allow_local) : allow_local_(allow_local), worker_([this] { work(); }) {}
    ~Deliveries() { finish(); }
    // Delivers what is queued (each POST gives up after a few seconds), stops, and returns the rest of done().
    std::vector<AlertChange> finish() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (worker_.joinable()) worker_.join();
        return done();
    }
    void push(AlertDelivery d) {
        {
            std::lock_guard lock(mu_);
            todo_.push_back(std::move(d));
        }
        wake_.notify_all();
    }
    std::vector<AlertChange> done() {
        std::lock_guard lock(mu_);
        return std::exchange(done_, {});
    }

private:
    void work() {
        std::unique_lock lock(mu_);
        for (;;) {
            wake_.wait(lock, [&] { return stopping_ || !todo_.empty(); });
            if (todo_.empty()) return;  // stopping, and everything delivered
            AlertDelivery d = std::move(todo_.front());
            todo_.erase(todo_.begin());
            lock.unlock();
            d.change.delivery = webhook::post(d.rule.webhook, alert_json(d), allow_local_);
            lock.lock();
            done_.push_back(d.change);
        }
    }

    std::mutex mu_;
    std::condition_variable wake_;
    std::vector<AlertDelivery> todo_;
    std::vector<AlertChange> done_;
    bool stopping_ = false;
    const bool allow_local_;
    std::thread worker_;
};

// Drift found (a namespace, link, rule or map entry changed behind xpeer's back, or a killed
// command's leftovers) is logged, difference by difference, and repaired at once.
void Agent::repair_drift() {
    // Commits that did not concern this host, which another process of the host loaded into the
    // replica, are not drift: the kernel follows them first (if etcd answers; the check goes on).
    try {
        controller_.follow_store();
    } catch (const std::exception& e) {
        spdlog::warn("drift check: following the store first: {}", e.what());
    }
    auto found = controller_.check();
    drift_.found = found.size();
    if (found.empty()) return;
    // What reconcile finds under the store's lock is what it repairs: more may have drifted since.
    auto r = controller_.reconcile();
    for (const auto& d : r.found) spdlog::warn("drift: {}: {}", d.object, d.problem);
    drift_.repaired_total += r.found.size() - r.remaining.size();
    spdlog::warn("drift: repaired {} difference(s){}", r.found.size() - r.remaining.size(),
                 r.remaining.empty() ? "" : "; " + std::to_string(r.remaining.size()) + " remain");
}

void Agent::follow_store() {
    programmed_ = controller_.follow_store();
    report_and_settle();
}

void Agent::report_and_settle() {
    if (programmed_ != reported_ && membership_->report_programmed(programmed_)) reported_ = programmed_;
    // The last host to program an Updating peering finds every other one done, and activates it.
    try {
        controller_.settle_rollouts();
        settle_failed_ = false;
    } catch (const std::exception& e) {
        settle_failed_ = true;
        spdlog::warn("settling the peerings being programmed at revision {}: {}", programmed_, e.what());
    }
}

void Agent::wait_until(std::chrono::steady_clock::time_point next) {
    using namespace std::chrono_literals;
    while (!g_stop && std::chrono::steady_clock::now() < next) {
        if (!membership_) {
            std::this_thread::sleep_for(20ms);
            continue;
        }
        const auto now = std::chrono::steady_clock::now();
        const int64_t heard = membership_->wait_for_slice(programmed_, std::min(next, now + 200ms));
        if (heard <= programmed_ || std::chrono::steady_clock::now() < retry_at_) continue;
        try {
            follow_store();
        } catch (const std::exception& e) {
            spdlog::error("following the store to revision {}: {}", heard, e.what());
            retry_at_ = std::chrono::steady_clock::now() + 1s;
        }
    }
}

void Agent::tick(std::string& exposition, Deliveries& deliveries) {
    for (const auto& c : deliveries.done()) controller_.record_delivery(c);
    // The commits that concern this host (its slice) are followed as they come (wait_until); the
    // others reach the replica and the kernel with the tick's own transactions.
    if (membership_) {
        if (membership_->wait_for_slice(programmed_, {}) > programmed_)
            follow_store();
        else if (programmed_ != reported_ || settle_failed_)
            report_and_settle();  // again, as it failed: nothing else may wake this host
    }
    if (const auto now = std::chrono::steady_clock::now(); now >= check_at_) {
        check_at_ = now + options_.drift_interval;
        repair_drift();
    }
    controller_.expire_pending();
    auto samples = controller_.sample();
    std::vector<BandwidthSharer::LinkPart> parts;
    if (membership_) {
        try {
            controller_.publish_links();
        } catch (const std::exception& e) {
            spdlog::warn("publishing this host's link counters: {}", e.what());
        }
        try {
            parts = controller_.share_bandwidth(samples, options_.interval);
        } catch (const std::exception& e) {
            spdlog::warn("sharing bandwidth with other hosts: {}", e.what());
        }
    }
    exposition = metrics::exposition(samples, controller_.reason_stats(), drift_, parts);
    for (auto& d : controller_.evaluate_alerts(samples)) {
        spdlog::info("alert {} on {}: {} ({} = {})", d.rule.id, d.rule.peering, d.change.change, alerts::to_string(d.rule.metric),
                     d.change.value);
        if (d.rule.webhook.empty()) {
            d.change.delivery = "no webhook";
            controller_.record_delivery(d.change);
        } else {
            deliveries.push(std::move(d));
        }
    }
}

void Agent::run() {
    g_stop = false;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    AgentStatus status;
    status.exposition = metrics::exposition({}, controller_.reason_stats(), drift_);
    MetricsEndpoint endpoint(options_, status);
    spdlog::info("xpeer-agent {} started, pid {}: store {}, bpffs {}, metrics {}, interval {} ms, webhooks to local addresses {}",
                 XPEER_VERSION, ::getpid(), config_.state_path, config_.bpffs_dir, endpoint.description(), options_.interval.count(),
                 options_.allow_local_webhooks ? "allowed" : "refused");
    int64_t n = 0;
    auto next = std::chrono::steady_clock::now();
    Deliveries deliveries(options_.allow_local_webhooks);  // after the endpoint: destroyed before it
    for (; !g_stop && (!options_.ticks || n < *options_.ticks); ++n) {
        run_tick(status, deliveries);
        next = std::max(next + options_.interval, std::chrono::steady_clock::now());  // a slow tick is not made up with a burst
        wait_until(next);
    }
    try {
        for (const auto& c : deliveries.finish()) controller_.record_delivery(c);
    } catch (const std::exception& e) {
        spdlog::error("recording webhook deliveries failed: {}", e.what());
    }
    spdlog::info("xpeer-agent stopped after {} ticks ({})", n, g_stop ? "signal" : "--ticks");
}

void Agent::run_tick(AgentStatus& status, Deliveries& deliveries) {
    std::string fresh;
    std::optional<std::string> error;
    try {
        tick(fresh, deliveries);
    } catch (const std::exception& e) {
        error = e.what();
        spdlog::error("sample failed: {}", e.what());  // the next interval tries again
    }
    std::lock_guard lock(status.mu);
    if (!error) {
        status.exposition = std::move(fresh);
        status.ticks.last_success_ms = wall_ms();
    }
    status.ticks.last_error = error;
    ++status.ticks.count;
}

}  // namespace xpeer
