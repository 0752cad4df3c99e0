#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "telemetry/rates.h"

// The seed's CloudMonitor alert rules on a peering connection: a metric above a threshold for a
// window fires once; it resolves when the metric falls back.
namespace xpeer::alerts {

enum class Metric { Utilization, Loss, Bps };
std::string to_string(Metric m);
Metric metric_from_string(const std::string& s);          // Error("InvalidAlertMetric")
double value_of(Metric m, const telemetry::LinkRate& r);  // utilisation of an unlimited link: 0

struct Rule {
    std::string id;  // alert-...
    AccountId account = 0;
    std::string peering;
    Metric metric = Metric::Bps;
    double threshold = 0;  // utilization and loss: a ratio (0.8); bps: bits per second
    int64_t for_seconds = 60;
    std::string webhook;  // "" or http://host[:port]/path
};

struct State {
    std::optional<int64_t> breached_since;  // unix seconds the metric first went above the threshold
    bool firing = false;
};

enum class Change { None, Fired, Resolved };

// One evaluation at `now` with the metric's current value (over both directions, the worse one).
Change evaluate(const Rule& rule, State& state, double value, int64_t now);

inline constexpr double kMaxBps = 1e12;  // a bps threshold above this never fires

// Error("InvalidAlert.*") for a rule the agent could not evaluate or deliver: a threshold that is
// not finite, negative, above 1 for ratios (utilization, loss) or above kMaxBps.
void check(const Rule& rule);

}  // namespace xpeer::alerts
