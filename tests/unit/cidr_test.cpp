#include <catch2/catch.hpp>

#include "model/cidr.h"
#include "model/error.h"

using namespace xpeer;

namespace {

// The message of the Error that parsing `text` throws, or "" if it parses.
std::string parse_error(const std::string& text) {
    try {
        Cidr::parse(text);
    } catch (const Error& e) {
        CHECK(e.code() == "InvalidCidrBlock.Malformed");
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("cidr: good IPv4 and IPv6 blocks parse and print back", "[cidr]") {
    for (const char* text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24", "0.0.0.0/0", "10.1.2.3/32", "2408:4000::/56", "::/0",
                             "fd00::/8", "2001:db8::1/128"}) {
        INFO(text);
        CHECK(Cidr::parse(text).str() == text);
    }
    auto c = Cidr::parse("192.168.0.0/16");
    CHECK(c.family() == Family::V4);
    CHECK(c.prefix_len == 16);
    CHECK(c.addr.bytes[0] == 192);
    CHECK(c.addr.bytes[1] == 168);
    CHECK(Cidr::parse("2408:4000::/56").family() == Family::V6);
    CHECK(Cidr::parse("2001:DB8::/32").str() == "2001:db8::/32");  // canonical form
}

TEST_CASE("cidr: malformed blocks are refused with the reason", "[cidr]") {
    CHECK_THAT(parse_error("10.0.0.0"), Catch::Contains("no prefix length"));
    CHECK_THAT(parse_error("fd00::"), Catch::Contains("no prefix length"));
    CHECK_THAT(parse_error("10.0.0.0/33"), Catch::Contains("0 to 32"));
    CHECK_THAT(parse_error("fd00::/129"), Catch::Contains("0 to 128"));
    CHECK_THAT(parse_error("10.0.0.0/"), Catch::Contains("prefix length"));
    CHECK_THAT(parse_error("10.0.0.0/-1"), Catch::Contains("prefix length"));
    CHECK_THAT(parse_error("10.0.0.0/8/8"), Catch::Contains("prefix length"));
    CHECK_THAT(parse_error("10.0.0.0/08"), Catch::Contains("prefix length"));
    CHECK(parse_error("172.16.1.0/12") == "\"172.16.1.0/12\" has host bits set; did you mean 172.16.0.0/12?");
    CHECK_THAT(parse_error("fd00::1/64"), Catch::Contains("did you mean fd00::/64?"));
    for (const char* garbage : {"", "/8", "abc/8", "10.0.0/8", "256.0.0.0/8", "10.0.0.0.0/8", "010.0.0.0/8", "fd00:::/8", "10.0.0.0/x"}) {
        INFO(garbage);
        CHECK_FALSE(parse_error(garbage).empty());
    }
    for (const char* spaced : {" 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0.0 /8", "10.0.0.0/ 8", "10.0.0.0/8\n"}) {
        INFO(spaced);
        CHECK_THAT(parse_error(spaced), Catch::Contains("whitespace"));
    }
}

TEST_CASE("cidr: addresses parse strictly", "[cidr]") {
    CHECK(IpAddr::parse("10.1.2.3").str() == "10.1.2.3");
    CHECK(IpAddr::parse("fd00::1").family == Family::V6);
    CHECK_FALSE(IpAddr::try_parse("10.1.2.3/32"));
    CHECK_FALSE(IpAddr::try_parse(" 10.1.2.3"));
    CHECK_FALSE(IpAddr::try_parse("10.1.2"));
    CHECK_FALSE(IpAddr::try_parse(std::string_view("10.1.2.3\0x", 10)));
    CHECK_THROWS_MATCHES(IpAddr::parse("nope"), Error,
                         Catch::Predicate<Error>([](const Error& e) { return e.code() == "InvalidIpAddress.Malformed"; }));
}

TEST_CASE("cidr: contains and overlaps, never across families", "[cidr]") {
    auto big = Cidr::parse("10.0.0.0/8"), small = Cidr::parse("10.1.0.0/16"), other = Cidr::parse("192.168.0.0/16");
    CHECK(big.contains(small));
    CHECK(big.contains(big));
    CHECK_FALSE(small.contains(big));
    CHECK(big.overlaps(small));
    CHECK(small.overlaps(big));
    CHECK_FALSE(big.overlaps(other));
    CHECK(big.contains(IpAddr::parse("10.255.255.255")));
    CHECK_FALSE(small.contains(IpAddr::parse("10.2.0.1")));
    CHECK(Cidr::parse("0.0.0.0/0").contains(other));

    auto v6 = Cidr::parse("::/0"), mapped = Cidr::parse("::ffff:10.0.0.0/104");
    CHECK_FALSE(v6.contains(big));
    CHECK_FALSE(v6.overlaps(big));
    CHECK_FALSE(big.overlaps(v6));
    CHECK_FALSE(big.overlaps(mapped));
    CHECK_FALSE(big.contains(IpAddr::parse("::ffff:10.0.0.1")));
    CHECK_FALSE(v6.contains(IpAddr::parse("10.0.0.1")));
    CHECK(Cidr::parse("2408:4000::/56").overlaps(Cidr::parse("2408:4000:0:10::/64")));
    CHECK_FALSE(Cidr::parse("2408:4000::/56").overlaps(Cidr::parse("2408:4000:0:100::/56")));
}

TEST_CASE("cidr: nth address and size", "[cidr]") {
    auto c = Cidr::parse("192.168.1.0/24");
    CHECK(c.size() == 256);
    CHECK(c.nth(0).str() == "192.168.1.0");
    CHECK(c.nth(1).str() == "192.168.1.1");
    CHECK(c.nth(255).str() == "192.168.1.255");
    CHECK_THROWS_AS(c.nth(256), Error);
    CHECK(Cidr::parse("10.0.0.0/8").nth(65536 + 2).str() == "10.1.0.2");
    CHECK(Cidr::parse("10.0.0.1/32").size() == 1);
    CHECK(Cidr::parse("0.0.0.0/0").size() == (uint64_t{1} << 32));
    CHECK(Cidr::parse("fd00::/120").size() == 256);
    CHECK(Cidr::parse("fd00::/64").size() == UINT64_MAX);
    CHECK(Cidr::parse("::/0").size() == UINT64_MAX);
    CHECK(Cidr::parse("fd00::/64").nth(UINT64_MAX).str() == "fd00::ffff:ffff:ffff:ffff");
    CHECK(Cidr::parse("fd00::/120").nth(0x1f).str() == "fd00::1f");
    CHECK_THROWS_AS(Cidr::parse("fd00::/120").nth(256), Error);
}

TEST_CASE("cidr: ordering and equality", "[cidr]") {
    CHECK(Cidr::parse("10.0.0.0/8") == Cidr::parse("10.0.0.0/8"));
    CHECK(Cidr::parse("10.0.0.0/8") != Cidr::parse("10.0.0.0/16"));
    CHECK(Cidr::parse("10.0.0.0/8") < Cidr::parse("11.0.0.0/8"));
}
