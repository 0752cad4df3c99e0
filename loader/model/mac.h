#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace xpeer {

using Mac = std::array<uint8_t, 6>;

std::string mac_str(const Mac& m);                      // "02:00:5e:10:00:01"
std::optional<Mac> parse_mac(const std::string& text);  // nullopt if malformed

}  // namespace xpeer
