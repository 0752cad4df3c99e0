#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xpeer {

enum class Family : uint8_t { V4 = 4, V6 = 6 };

// An IPv4 or IPv6 address in network byte order (IPv4 uses the first 4 bytes).
struct IpAddr {
    Family family = Family::V4;
    std::array<uint8_t, 16> bytes{};

    static IpAddr parse(std::string_view text);  // throws Error("InvalidIpAddress.Malformed")
    static std::optional<IpAddr> try_parse(std::string_view text);
    size_t size() const { return family == Family::V4 ? 4 : 16; }
    unsigned bits() const { return family == Family::V4 ? 32 : 128; }
    std::string str() const;
    auto operator<=>(const IpAddr&) const = default;
};

// A network: address with host bits zero, and a prefix length.
struct Cidr {
    IpAddr addr;
    uint8_t prefix_len = 0;

    // Strict: "a.b.c.d/n" or "x::/n", host bits must be zero.
    // Throws Error("InvalidCidrBlock.Malformed") naming the input and what is wrong.
    static Cidr parse(std::string_view text);
    Family family() const { return addr.family; }
    std::string str() const;
    bool contains(const IpAddr& a) const;
    bool contains(const Cidr& other) const;  // other is equal to or inside this
    bool overlaps(const Cidr& other) const;
    // The network of length len (at most prefix_len) that contains this one.
    Cidr supernet(uint8_t len) const;
    // The n-th address of the network (0 = network address); throws if outside.
    IpAddr nth(uint64_t n) const;
    // Number of host addresses, saturated at 2^64-1.
    uint64_t size() const;
    auto operator<=>(const Cidr&) const = default;
};

// The addresses of a subnet that no instance may use and that nobody may send to or from: the
// network address, the gateway (the first address after it) and, in IPv4, the broadcast address.
std::vector<IpAddr> reserved_addresses(const Cidr& subnet);
// One address as a network of its own (/32, /128).
Cidr host_route(const IpAddr& a);

}  // namespace xpeer
