#include "agent/health.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

namespace xpeer::health {
namespace {

std::string utc(int64_t ms) {
    std::time_t t = ms / 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

Report report(const Ticks& ticks, int64_t now_ms, std::chrono::milliseconds interval) {
    const int64_t stale_ms = std::max<int64_t>(3 * interval.count(), 10'000);
    nlohmann::json j{{"ticks", ticks.count}, {"last_success", nullptr}, {"last_success_age_seconds", nullptr}, {"last_error", nullptr}};
    if (ticks.last_error) j["last_error"] = *ticks.last_error;
    std::string status = "ok";
    if (ticks.last_success_ms) {
        j["last_success"] = utc(*ticks.last_success_ms);
        j["last_success_age_seconds"] = static_cast<double>(now_ms - *ticks.last_success_ms) / 1000.0;
        if (now_ms - *ticks.last_success_ms > stale_ms) status = "stale";
    } else {
        status = "starting";
    }
    if (ticks.last_error) status = "failing";
    j["status"] = status;
    return Report{status == "ok" ? 200 : 503, j.dump()};
}

}  // namespace xpeer::health
