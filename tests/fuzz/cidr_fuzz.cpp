// IpAddr::parse and Cidr::parse on any text: they accept it or throw xpeer::Error, nothing else;
// what they accept prints back to itself, and a CIDR has no host bit set.
#include <string>
#include <string_view>

#include "check.h"
#include "model/cidr.h"
#include "model/error.h"

using namespace xpeer;
using fuzz::require;

namespace {

bool host_bits_zero(const Cidr& c) {
    for (unsigned bit = c.prefix_len; bit < c.addr.bits(); ++bit)
        if (c.addr.bytes[bit / 8] & (0x80u >> (bit % 8))) return false;
    return true;
}

bool unused_bytes_zero(const IpAddr& a) {
    for (size_t i = a.size(); i < a.bytes.size(); ++i)
        if (a.bytes[i]) return false;
    return true;
}

void check_address(std::string_view text) {
    auto a = IpAddr::try_parse(text);
    try {
        IpAddr thrown = IpAddr::parse(text);
        require(a && thrown == *a, "IpAddr::parse accepts what try_parse refuses");
    } catch (const Error& e) {
        require(!a, "IpAddr::parse refuses what try_parse accepts");
        require(e.code() == "InvalidIpAddress.Malformed", "IpAddr::parse fails with " + e.code());
    }
    if (!a) return;
    require(unused_bytes_zero(*a), "an IPv4 address with bytes past its fourth");
    require(IpAddr::parse(a->str()) == *a, "IpAddr " + a->str() + " does not parse back to itself");
}

void check_cidr(std::string_view text) {
    Cidr c;
    try {
        c = Cidr::parse(text);
    } catch (const Error& e) {
        require(e.code() == "InvalidCidrBlock.Malformed", "Cidr::parse fails with " + e.code());
        return;
    }
    const std::string printed = c.str();
    require(c.prefix_len <= c.addr.bits(), printed + ": prefix longer than the address");
    require(unused_bytes_zero(c.addr), printed + ": an IPv4 network with bytes past its fourth");
    require(host_bits_zero(c), printed + ": host bits set");
    require(Cidr::parse(printed) == c, printed + " does not parse back to itself");
    require(c.contains(c) && c.contains(c.addr) && c.nth(0) == c.addr, printed + " does not contain its own network address");
    require(c.size() >= 1, printed + " has no address");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_address(text);
    check_cidr(text);
    return 0;
}
