#pragma once
#include <chrono>
#include <cstdint>
#include <string>

// Times and durations as users type them.
namespace xpeer::time_args {

// Unix seconds ("1764115200") or UTC ISO 8601 ("2026-12-03T00:00:00Z"); Error("InvalidTime").
int64_t parse_time(const std::string& text);
// "500ms", "30s", "2m", "1h", or bare seconds ("30"); Error("InvalidDuration").
std::chrono::milliseconds parse_duration(const std::string& text);

}  // namespace xpeer::time_args
