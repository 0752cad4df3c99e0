#include "telemetry/alerts.h"

#include <cmath>
#include <regex>

#include "model/errors.h"

namespace xpeer::alerts {

std::string to_string(Metric m) {
    switch (m) {
        case Metric::Utilization:
            return "utilization";
        case Metric::Loss:
            return "loss";
        case Metric::Bps:
            return "bps";
    }
    return "?";
}

Metric metric_from_string(const std::string& s) {
    if (s == "utilization") return Metric::Utilization;
    if (s == "loss") return Metric::Loss;
    if (s == "bps") return Metric::Bps;
    throw errors::invalid_alert_metric("unknown metric '" + s + "'; metrics are utilization, loss and bps");
}

double value_of(Metric m, const telemetry::LinkRate& r) {
    switch (m) {
        case Metric::Utilization:
            return r.utilization.value_or(0);
        case Metric::Loss:
            return r.loss;
        case Metric::Bps:
            return r.bits_per_second;
    }
    return 0;
}

Change evaluate(const Rule& rule, State& state, double value, int64_t now) {
    if (value > rule.threshold) {
        if (!state.breached_since) state.breached_since = now;
        if (!state.firing && now - *state.breached_since >= rule.for_seconds) {
            state.firing = true;
            return Change::Fired;
        }
        return Change::None;
    }
    state.breached_since.reset();
    if (state.firing) {
        state.firing = false;
        return Change::Resolved;
    }
    return Change::None;
}

void check(const Rule& rule) {
    if (!std::isfinite(rule.threshold)) throw errors::invalid_alert_threshold("the threshold must be a finite number");
    if (rule.threshold < 0) throw errors::invalid_alert_threshold("the threshold cannot be negative");
    if ((rule.metric == Metric::Loss || rule.metric == Metric::Utilization) && rule.threshold > 1)
        throw errors::invalid_alert_threshold(to_string(rule.metric) + " is a ratio from 0 to 1, not " + std::to_string(rule.threshold));
    if (rule.metric == Metric::Bps && rule.threshold > kMaxBps)
        throw errors::invalid_alert_threshold("a bps threshold is at most 1e12 (1 Tbit/s), not " + std::to_string(rule.threshold));
    if (rule.for_seconds < 1) throw errors::invalid_alert_window("the window (--for) must be at least 1 s");
    static const std::regex url(R"(http://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s]*)?)");
    if (!rule.webhook.empty() && !std::regex_match(rule.webhook, url))
        throw errors::invalid_alert_webhook("webhook '" + rule.webhook + "' is not an http://host[:port]/path URL");
}

}  // namespace xpeer::alerts
