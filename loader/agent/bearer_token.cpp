#include "agent/bearer_token.h"

#include <fstream>

#include "model/errors.h"

namespace xpeer::bearer_token {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw errors::agent_metrics_token("cannot read the metrics token file " + path);
    std::string line;
    std::getline(in, line);
    const auto first = line.find_first_not_of(" \t\r");
    const auto last = line.find_last_not_of(" \t\r");
    if (first == std::string::npos)
        throw errors::agent_metrics_token("the metrics token file " + path + " holds no token on its first line");
    return line.substr(first, last - first + 1);
}

bool matches(const std::string& authorization, const std::string& token) {
    const std::string expected = "Bearer " + token;
    unsigned char diff = authorization.size() == expected.size() ? 0 : 1;
    for (size_t i = 0; i < authorization.size(); ++i) diff |= static_cast<unsigned char>(authorization[i] ^ expected[i % expected.size()]);
    return diff == 0;
}

void guard(httplib::Server& server, const std::string& token) {
    if (token.empty()) return;
    server.set_pre_routing_handler([&token](const httplib::Request& req, httplib::Response& res) {
        if (matches(req.get_header_value("Authorization"), token)) return httplib::Server::HandlerResponse::Unhandled;
        res.status = 401;
        res.set_header("WWW-Authenticate", "Bearer");
        res.set_content("401 Unauthorized: send 'Authorization: Bearer <token>', the token of the agent's --metrics-token-file\n",
                        "text/plain");
        return httplib::Server::HandlerResponse::Handled;
    });
}

}  // namespace xpeer::bearer_token
