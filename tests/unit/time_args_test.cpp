#include <catch2/catch.hpp>

#include "cli/time_args.h"
#include "model/error.h"

using namespace xpeer;
using namespace std::chrono_literals;

TEST_CASE("times: unix seconds or UTC ISO 8601", "[cli]") {
    CHECK(time_args::parse_time("1764115200") == 1764115200);
    CHECK(time_args::parse_time("2026-12-03T00:00:00Z") == 1796256000);
    CHECK(time_args::parse_time("1970-01-01T00:00:00Z") == 0);
    for (const char* bad : {"", "yesterday", "2026-02-30T00:00:00Z", "2026-12-03 00:00:00", "-5"}) {
        INFO(bad);
        CHECK_THROWS_AS(time_args::parse_time(bad), Error);
    }
}

TEST_CASE("durations: ms, s, m, h or bare seconds", "[cli]") {
    CHECK(time_args::parse_duration("500ms") == 500ms);
    CHECK(time_args::parse_duration("30s") == 30s);
    CHECK(time_args::parse_duration("30") == 30s);
    CHECK(time_args::parse_duration("2m") == 120s);
    CHECK(time_args::parse_duration("1h") == 3600s);
    for (const char* bad : {"", "s", "1d", "-1s", "1.5s"}) {
        INFO(bad);
        CHECK_THROWS_AS(time_args::parse_duration(bad), Error);
    }
}
