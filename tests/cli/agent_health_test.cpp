#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/health.h"

using namespace xpeer;
using namespace std::chrono_literals;

TEST_CASE("agent health: 200 while ticks succeed, 503 before the first, after a failure, or when stale", "[agent][health]") {
    const int64_t now = 1'764'720'000'000;  // 2025-12-03T00:00:00Z
    health::Ticks t;
    auto starting = health::report(t, now, 1s);
    CHECK(starting.status == 503);
    CHECK(nlohmann::json::parse(starting.json)["status"] == "starting");

    t.count = 5;
    t.last_success_ms = now - 800;
    auto ok = health::report(t, now, 1s);
    CHECK(ok.status == 200);
    auto j = nlohmann::json::parse(ok.json);
    CHECK(j["status"] == "ok");
    CHECK(j["ticks"] == 5);
    CHECK(j["last_success"] == "2025-12-02T23:59:59Z");
    CHECK(j["last_success_age_seconds"] == Approx(0.8));
    CHECK(j["last_error"].is_null());

    t.last_error = "sqlite: database is locked";
    auto failing = health::report(t, now, 1s);
    CHECK(failing.status == 503);
    j = nlohmann::json::parse(failing.json);
    CHECK(j["status"] == "failing");
    CHECK(j["last_error"] == "sqlite: database is locked");

    t.last_error.reset();
    t.last_success_ms = now - 9'000;  // under the 10 s floor
    CHECK(health::report(t, now, 1s).status == 200);
    t.last_success_ms = now - 11'000;
    CHECK(health::report(t, now, 1s).status == 503);
    CHECK(nlohmann::json::parse(health::report(t, now, 1s).json)["status"] == "stale");
    CHECK(health::report(t, now, 5s).status == 200);  // three intervals of 5 s: not stale yet
}
