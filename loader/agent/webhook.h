#pragma once
#include <string>

// An alert's JSON POSTed to its webhook (http:// only; two seconds to connect and to answer).
namespace xpeer::webhook {

// What happened, for the alert's history: "HTTP 200", or why nothing was delivered. The host is
// resolved here and every address it resolves to is checked (webhook_address::local_rule): unless
// allow_local, a host with a loopback, link-local, unspecified, multicast or broadcast address
// gets nothing, and the history says "not delivered: Webhook.LocalAddress: ...". The POST goes to
// the address checked, not to a second resolution, and a redirect is never followed.
std::string post(const std::string& url, const std::string& json_body, bool allow_local);

}  // namespace xpeer::webhook
