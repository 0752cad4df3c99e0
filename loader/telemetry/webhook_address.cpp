#include "telemetry/webhook_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <regex>

namespace xpeer::webhook_address {
namespace {

std::optional<std::string> v4_rule(uint32_t a) {  // host byte order
    if ((a >> 24) == 0) return "unspecified";     // 0.0.0.0/8: Linux connects 0.0.0.0 to the host itself
    if ((a >> 24) == 127) return "loopback";
    if ((a >> 16) == 0xa9fe) return "link-local";  // 169.254/16
    if ((a >> 28) == 0xe) return "multicast";      // 224/4
    if (a == 0xffffffff) return "broadcast";
    return std::nullopt;
}

std::optional<std::string> v6_rule(const in6_addr& a) {
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
        uint32_t v4;
        std::memcpy(&v4, &a.s6_addr[12], 4);
        return v4_rule(ntohl(v4));
    }
    if (IN6_IS_ADDR_UNSPECIFIED(&a)) return "unspecified";
    if (IN6_IS_ADDR_LOOPBACK(&a)) return "loopback";
    if (IN6_IS_ADDR_LINKLOCAL(&a)) return "link-local";  // fe80::/10
    if (IN6_IS_ADDR_MULTICAST(&a)) return "multicast";   // ff00::/8
    return std::nullopt;
}

}  // namespace

std::optional<std::string> local_rule(const sockaddr* addr) {
    if (addr->sa_family == AF_INET) return v4_rule(ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr));
    if (addr->sa_family == AF_INET6) return v6_rule(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr);
    return std::nullopt;
}

std::optional<std::string> literal_rule(const std::string& host) {
    std::string h = host;
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    in6_addr v6;
    if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return v6_rule(v6);
    in_addr v4;
    if (inet_aton(h.c_str(), &v4) != 0) return v4_rule(ntohl(v4.s_addr));  // inet_aton: every form getaddrinfo takes
    return std::nullopt;
}

std::string url_host(const std::string& url) {
    static const std::regex host(R"(http://(\[[^\]]*\]|[^/:]*).*)");
    std::smatch m;
    return std::regex_match(url, m, host) ? m[1].str() : std::string();
}

}  // namespace xpeer::webhook_address
