#include <catch2/catch.hpp>

#include <cstring>

#include "compiler/lpm_key.h"

using namespace xpeer;

TEST_CASE("LPM keys count the VPC id's 32 bits before the prefix", "[lpm]") {
    auto k = lpm_key_v4(7, Cidr::parse("172.16.0.0/12"));
    CHECK(k.prefixlen == 32 + 12);
    CHECK(k.vpc == 7);
    CHECK(k.addr[0] == 172);
    CHECK(k.addr[1] == 16);
    CHECK(lpm_prefixlen(0) == 32);

    auto k6 = lpm_key_v6(9, Cidr::parse("fd00:1::/56"));
    CHECK(k6.prefixlen == 32 + 56);
    CHECK(k6.vpc == 9);
    CHECK(k6.addr[0] == 0xfd);
    CHECK(k6.addr[3] == 0x01);
}

TEST_CASE("LPM keys round-trip to their CIDR", "[lpm]") {
    for (const char* text : {"10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "10.1.2.3/32"}) {
        auto c = Cidr::parse(text);
        CHECK(cidr_of(lpm_key_v4(1, c)) == c);
    }
    for (const char* text : {"fd00:1::/56", "::/0", "2408:4000::/56", "fd00::1/128"}) {
        auto c = Cidr::parse(text);
        CHECK(cidr_of(lpm_key_v6(1, c)) == c);
    }
}

TEST_CASE("an LPM key of the wrong family is refused", "[lpm]") {
    CHECK_THROWS_WITH(lpm_key_v4(1, Cidr::parse("fd00::/8")), Catch::Contains("not an IPv4"));
    CHECK_THROWS_WITH(lpm_key_v6(1, Cidr::parse("10.0.0.0/8")), Catch::Contains("not an IPv6"));
}

TEST_CASE("LPM keys mask host bits, so equal networks give equal keys", "[lpm]") {
    Cidr sloppy;
    sloppy.addr = IpAddr::parse("10.1.2.3");
    sloppy.prefix_len = 16;
    auto k = lpm_key_v4(1, sloppy);
    CHECK(k.addr[0] == 10);
    CHECK(k.addr[1] == 1);
    CHECK(k.addr[2] == 0);
    CHECK(k.addr[3] == 0);
    auto clean = lpm_key_v4(1, Cidr::parse("10.1.0.0/16"));
    CHECK(std::memcmp(&k, &clean, sizeof(k)) == 0);

    Cidr sloppy6;
    sloppy6.addr = IpAddr::parse("fd00:1:2:3::1");
    sloppy6.prefix_len = 33;
    auto k6 = lpm_key_v6(1, sloppy6);
    CHECK(k6.addr[3] == 0x01);  // inside the prefix: kept
    CHECK(k6.addr[5] == 0);     // was 0x02
    CHECK(k6.addr[7] == 0);     // was 0x03
    CHECK(k6.addr[15] == 0);    // was 0x01
    CHECK(cidr_of(k6) == Cidr::parse("fd00:1::/33"));
}
