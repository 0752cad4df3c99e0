#include "cli/time_args.h"

#include <ctime>
#include <regex>

#include "model/errors.h"

namespace xpeer::time_args {

namespace {

int64_t in_range(const std::string& text, int64_t t) {
    if (t < kEarliestTime || t >= kLatestTime)
        throw errors::invalid_time_out_of_range("'" + text + "' is outside 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z");
    return t;
}

}  // namespace

int64_t parse_time(const std::string& text) {
    static const std::regex unix_seconds(R"(\d{1,12})");
    static const std::regex iso(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z)");
    std::smatch m;
    if (std::regex_match(text, unix_seconds)) return in_range(text, std::stoll(text));
    if (std::regex_match(text, m, iso)) {
        std::tm tm{};
        tm.tm_year = std::stoi(m[1]) - 1900;
        tm.tm_mon = std::stoi(m[2]) - 1;
        tm.tm_mday = std::stoi(m[3]);
        tm.tm_hour = std::stoi(m[4]);
        tm.tm_min = std::stoi(m[5]);
        tm.tm_sec = std::stoi(m[6]);
        std::tm check = tm;
        time_t t = timegm(&tm);
        if (tm.tm_mday == check.tm_mday && tm.tm_mon == check.tm_mon && tm.tm_hour == check.tm_hour && tm.tm_min == check.tm_min &&
            tm.tm_sec == check.tm_sec)
            return in_range(text, t);
    }
    throw errors::invalid_time("'" + text + "' is not a time: give unix seconds or UTC ISO 8601 such as 2026-12-03T00:00:00Z");
}

std::chrono::milliseconds parse_duration(const std::string& text) {
    static const std::regex duration(R"((\d{1,9})(ms|s|m|h)?)");
    std::smatch m;
    if (!std::regex_match(text, m, duration))
        throw errors::invalid_duration("'" + text + "' is not a duration: give a number with ms, s, m or h (30s, 2m)");
    int64_t n = std::stoll(m[1]);
    std::string unit = m[2];
    if (unit == "ms") return std::chrono::milliseconds(n);
    if (unit == "m") return std::chrono::minutes(n);
    if (unit == "h") return std::chrono::hours(n);
    return std::chrono::seconds(n);
}

}  // namespace xpeer::time_args
