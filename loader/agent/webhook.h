#pragma once
#include <string>

// An alert's JSON POSTed to its webhook (http:// only; two seconds to connect and to answer).
namespace xpeer::webhook {

// What happened, for the alert's history: "HTTP 200", or why nothing was delivered.
std::string post(const std::string& url, const std::string& json_body);

}  // namespace xpeer::webhook
