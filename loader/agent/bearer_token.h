#pragma once
#include <httplib.h>

#include <string>

// The metrics endpoint's credential: a token in a file only the operator reads, sent by the
// scraper as "Authorization: Bearer <token>" (Prometheus: authorization.credentials_file).
namespace xpeer::bearer_token {

// The file's first line, without surrounding blanks; Error("Agent.MetricsToken") if the file
// cannot be read or holds no token.
std::string read_file(const std::string& path);

// Whether an Authorization header carries token, in time that does not depend on where a wrong
// guess differs (only on the header's length).
bool matches(const std::string& authorization, const std::string& token);

// Makes server answer 401 to every request that does not carry token (nothing if token is "").
// token must outlive the server.
void guard(httplib::Server& server, const std::string& token);

}  // namespace xpeer::bearer_token
