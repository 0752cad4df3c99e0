#include "agent/webhook.h"

#include <httplib.h>

#include <regex>

namespace xpeer::webhook {

std::string post(const std::string& url, const std::string& body) {
    static const std::regex parts(R"((http://[^/]+)(/.*)?)");
    std::smatch m;
    if (!std::regex_match(url, m, parts)) return "not delivered: malformed URL " + url;
    httplib::Client client(m[1].str());
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(2, 0);
    client.set_write_timeout(2, 0);
    auto res = client.Post(m[2].matched ? m[2].str() : "/", body, "application/json");
    if (!res) return "not delivered: " + httplib::to_string(res.error());
    return "HTTP " + std::to_string(res->status);
}

}  // namespace xpeer::webhook
