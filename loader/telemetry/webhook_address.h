#pragma once
#include <sys/socket.h>

#include <optional>
#include <string>

// Which addresses a webhook may not reach without the operator's consent: the agent runs as
// root on the host, and a tenant's webhook must not make it POST to the host's own services
// (loopback), the cloud's metadata service (link-local), or anything the kernel treats as "this
// host" (unspecified) or "everyone" (multicast, broadcast).
namespace xpeer::webhook_address {

// The rule addr breaks, "loopback", "link-local", "unspecified", "multicast" or "broadcast";
// nullopt for any other address. An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is its IPv4 one.
std::optional<std::string> local_rule(const sockaddr* addr);

// The rule a host written as an IP literal breaks, in every form the resolver accepts (dotted,
// decimal 2130706433, octal 0177.0.0.1, hex 0x7f.1, IPv6); nullopt for a name or another address.
std::optional<std::string> literal_rule(const std::string& host);

// The host of an http://host[:port]/path URL ("" if it has none).
std::string url_host(const std::string& url);

}  // namespace xpeer::webhook_address
