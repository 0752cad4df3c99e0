#include <catch2/catch.hpp>

#include "cli/time_args.h"
#include "model/error.h"

using namespace xpeer;
using namespace std::chrono_literals;

TEST_CASE("times: unix seconds or UTC ISO 8601", "[cli]") {
    CHECK(time_args::parse_time("1764115200") == 1764115200);
    CHECK(time_args::parse_time("2026-12-03T00:00:00Z") == 1796256000);
    CHECK(time_args::parse_time("2000-01-01T00:00:00Z") == time_args::kEarliestTime);
    CHECK(time_args::parse_time("2099-12-31T23:59:59Z") == time_args::kLatestTime - 1);
    for (const char* bad : {"", "yesterday", "2026-02-30T00:00:00Z", "2026-12-03 00:00:00", "-5"}) {
        INFO(bad);
        CHECK_THROWS_AS(time_args::parse_time(bad), Error);
    }
}

TEST_CASE("times outside 2000 to 2100 are refused, naming the range", "[cli]") {
    for (const char* far :
         {"1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "0", "9999-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "999999999999"}) {
        INFO(far);
        try {
            time_args::parse_time(far);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(std::string(e.code()) == "InvalidTime.OutOfRange");
            CHECK_THAT(e.what(), Catch::Contains("2000-01-01T00:00:00Z"));
        }
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
