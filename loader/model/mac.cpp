#include "model/mac.h"

#include <cstdio>

namespace xpeer {

std::string mac_str(const Mac& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

std::optional<Mac> parse_mac(const std::string& text) {
    unsigned b[6];
    char tail;
    if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) return std::nullopt;
    Mac m{};
    for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(b[i]);
    return m;
}

}  // namespace xpeer
