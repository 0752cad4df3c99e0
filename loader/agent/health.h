#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

// /healthz: whether the agent's loop is sampling, for the operator's probes.
namespace xpeer::health {

struct Ticks {
    int64_t count = 0;                       // ticks run, failed ones included
    std::optional<int64_t> last_success_ms;  // unix ms of the last tick that completed
    std::optional<std::string> last_error;   // the last tick's error, if it failed
};

struct Report {
    int status;        // 200 or 503
    std::string json;  // {"status": "ok|starting|failing|stale", "ticks", "last_success", "last_success_age_seconds", "last_error"}
};

// 503 before the first tick completes, when the last tick failed, or when the last success is
// older than three intervals and at least ten seconds (a slow tick on a large host is not an outage).
Report report(const Ticks& ticks, int64_t now_ms, std::chrono::milliseconds interval);

}  // namespace xpeer::health
