#pragma once
#include <chrono>
#include <cstdint>
#include <string>

// Times and durations as users type them.
namespace xpeer::time_args {

// Times xpeer accepts: from 2000-01-01T00:00:00Z up to, not including, 2100-01-01T00:00:00Z.
inline constexpr int64_t kEarliestTime = 946'684'800;
inline constexpr int64_t kLatestTime = 4'102'444'800;

// Unix seconds ("1764115200") or UTC ISO 8601 ("2026-12-03T00:00:00Z"); Error("InvalidTime"),
// Error("InvalidTime.OutOfRange") outside [kEarliestTime, kLatestTime).
int64_t parse_time(const std::string& text);
// "500ms", "30s", "2m", "1h", or bare seconds ("30"); Error("InvalidDuration").
std::chrono::milliseconds parse_duration(const std::string& text);

}  // namespace xpeer::time_args
