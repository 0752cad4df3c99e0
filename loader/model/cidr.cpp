#include "model/cidr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <limits>

#include "model/errors.h"

namespace xpeer {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool has_space(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::optional<IpAddr> parse_addr(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN || has_space(text) || text.find('\0') != text.npos) return std::nullopt;
    std::string s(text);  // inet_pton needs a terminated string
    IpAddr a;
    a.family = s.find(':') != std::string::npos ? Family::V6 : Family::V4;
    if (inet_pton(a.family == Family::V6 ? AF_INET6 : AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    return a;
}

// Keeps the first `prefix` bits of `a`, zeroes the rest.
IpAddr masked(IpAddr a, unsigned prefix) {
    for (unsigned i = 0; i < a.size(); ++i) {
        unsigned keep = prefix > i * 8 ? std::min(prefix - i * 8, 8u) : 0;
        a.bytes[i] &= static_cast<uint8_t>(0xff00u >> keep);
    }
    return a;
}

}  // namespace

IpAddr IpAddr::parse(std::string_view text) {
    if (auto a = try_parse(text)) return *a;
    throw errors::invalid_ip_address_malformed(quoted(text) + " is not an IPv4 or IPv6 address");
}

std::optional<IpAddr> IpAddr::try_parse(std::string_view text) { return parse_addr(text); }

std::string IpAddr::str() const {
    if (family == Family::V4) {  // inet_ntop formats IPv4 with sprintf: a tenth of a 100k-route import
        std::string out;
        for (size_t i = 0; i < 4; ++i) {
            if (i) out += '.';
            out += std::to_string(bytes[i]);
        }
        return out;
    }
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(family == Family::V6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) throw SystemError("inet_ntop", errno);
    return buf;
}

Cidr Cidr::parse(std::string_view text) {
    auto fail = [&](const std::string& what) { return errors::invalid_cidr_block_malformed(quoted(text) + " " + what); };
    if (has_space(text)) throw fail("contains whitespace");
    auto slash = text.find('/');
    if (slash == std::string_view::npos) throw fail("has no prefix length; write it as address/prefix, e.g. 10.0.0.0/8");
    auto addr = parse_addr(text.substr(0, slash));
    if (!addr) throw fail("does not start with an IPv4 or IPv6 address");
    std::string_view len = text.substr(slash + 1);
    bool decimal = !len.empty() && len.size() <= 3 && (len.size() == 1 || len[0] != '0') &&
                   std::all_of(len.begin(), len.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    unsigned prefix = decimal ? static_cast<unsigned>(std::stoul(std::string(len))) : 0;
    if (!decimal || prefix > addr->bits())
        throw fail("has an invalid prefix length; it must be a number from 0 to " + std::to_string(addr->bits()));
    Cidr c{masked(*addr, prefix), static_cast<uint8_t>(prefix)};
    if (c.addr != *addr) throw fail("has host bits set; did you mean " + c.str() + "?");
    return c;
}

std::string Cidr::str() const { return addr.str() + "/" + std::to_string(prefix_len); }

bool Cidr::contains(const IpAddr& a) const { return a.family == family() && masked(a, prefix_len) == addr; }

bool Cidr::contains(const Cidr& other) const { return other.prefix_len >= prefix_len && contains(other.addr); }

bool Cidr::overlaps(const Cidr& other) const { return contains(other) || other.contains(*this); }

Cidr Cidr::supernet(uint8_t len) const { return Cidr{masked(addr, std::min(len, prefix_len)), std::min(len, prefix_len)}; }

uint64_t Cidr::size() const {
    unsigned host_bits = addr.bits() - prefix_len;
    return host_bits >= 64 ? std::numeric_limits<uint64_t>::max() : uint64_t{1} << host_bits;
}

IpAddr Cidr::nth(uint64_t n) const {
    unsigned host_bits = addr.bits() - prefix_len;
    if (host_bits < 64 && n >= size())
        throw errors::invalid_ip_address_out_of_range("address #" + std::to_string(n) + " is outside " + str() + " (" +
                                                      std::to_string(size()) + " addresses)");
    IpAddr a = addr;
    for (size_t i = a.size(); i-- > 0 && n != 0; n >>= 8) a.bytes[i] |= static_cast<uint8_t>(n & 0xff);
    return a;
}

std::vector<IpAddr> reserved_addresses(const Cidr& subnet) {
    std::vector<IpAddr> out{subnet.nth(0), subnet.nth(1)};
    if (subnet.family() == Family::V4) out.push_back(subnet.nth(subnet.size() - 1));
    return out;
}

Cidr host_route(const IpAddr& a) { return Cidr{a, static_cast<uint8_t>(a.bits())}; }

}  // namespace xpeer
