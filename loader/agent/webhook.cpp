#include "agent/webhook.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>

#include <memory>
#include <regex>

#include "telemetry/webhook_address.h"

namespace xpeer::webhook {
namespace {

std::string address_text(const sockaddr* a) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (a->sa_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, buf, sizeof(buf));
    if (a->sa_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, buf, sizeof(buf));
    return buf;
}

}  // namespace

std::string post(const std::string& url, const std::string& body, bool allow_local) {
    static const std::regex parts(R"(http://([^/:]+)(?::([0-9]{1,5}))?(/.*)?)");
    std::smatch m;
    if (!std::regex_match(url, m, parts)) return "not delivered: malformed URL " + url;
    const std::string host = m[1].str();
    const int port = m[2].matched ? std::stoi(m[2].str()) : 80;

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0)
        return "not delivered: cannot resolve " + host + ": " + gai_strerror(rc);
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
    for (auto* a = found; a; a = a->ai_next) {
        if (allow_local) break;
        if (auto rule = webhook_address::local_rule(a->ai_addr))
            return "not delivered: Webhook.LocalAddress: " + host + " resolves to " + address_text(a->ai_addr) + ", a " + *rule +
                   " address; the agent delivers to one only with --allow-local-webhooks";
    }

    httplib::Client client(host, port);
    client.set_hostname_addr_map({{host, address_text(found->ai_addr)}});  // the address checked, not a new lookup
    client.set_follow_location(false);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(2, 0);
    client.set_write_timeout(2, 0);
    auto res = client.Post(m[3].matched ? m[3].str() : "/", body, "application/json");
    if (!res) return "not delivered: " + httplib::to_string(res.error());
    return "HTTP " + std::to_string(res->status);
}

}  // namespace xpeer::webhook
