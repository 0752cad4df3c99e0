// Frames an attacker in a VPC can send: spoofed sources, malformed IPv4 and IPv6 headers, and
// addresses that no instance holds. Each is dropped, counted under its own reason, and reaches
// no other port.
#include <catch2/catch.hpp>

#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;

namespace {

// Nothing left the router towards any VPC, and nothing crossed a peering.
void check_nothing_forwarded(RouterFixture& fx) {
    for (uint32_t ifindex : {fx.if_a1, fx.if_a2, fx.if_b1, fx.if_c1}) CHECK(fx.port(ifindex).tx.packets == 0);
    for (uint32_t slot : {5u, 6u, 7u})
        for (auto dir : {XP_DIR_A_TO_B, XP_DIR_B_TO_A}) CHECK(fx.link(slot, dir).packets == 0);
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 0);
    CHECK(fx.reason(XP_REASON_FORWARD_LOCAL).packets == 0);
}

}  // namespace

TEST_CASE("a source that is not the ingress vSwitch's is dropped as spoofed, v4 and v6", "[router][hostile]") {
    // From vsw-a1 (10.1.1.0/24, fd00:a:0:1::/64) towards B, which A peers with.
    const char* v4_sources[] = {
        "10.3.1.2",                                   // VPC C's: B's replies would go to C, which has no peering with A
        "10.2.1.2",                                   // the peer's own subnet
        "10.1.2.2",                                   // the VPC's other vSwitch: its traffic leaves through its own link
        "0.0.0.0",    "255.255.255.255", "10.1.1.0",  // network address
        "10.1.1.1",                                   // the gateway: the router's
        "10.1.1.255",                                 // broadcast
        "192.0.2.1",
    };
    for (const char* src : v4_sources) {
        DYNAMIC_SECTION("IPv4 source " << src) {
            RouterFixture fx;
            CHECK(fx.run(udp_frame(src, "10.2.1.2"), fx.if_a1).ret == XDP_DROP);
            CHECK(fx.reason(XP_REASON_DROP_SPOOFED).packets == 1);
            CHECK(fx.port(fx.if_a1).rx.packets == 1);  // counted in, on the port it came from
            check_nothing_forwarded(fx);
        }
    }
    const char* v6_sources[] = {"fd00:b:0:1::2", "fd00:a:0:2::2", "fd00:a:0:1::", "fd00:a:0:1::1", "::", "2001:db8::1"};
    for (const char* src : v6_sources) {
        DYNAMIC_SECTION("IPv6 source " << src) {
            RouterFixture fx;
            CHECK(fx.run(udp_frame(src, "fd00:b:0:1::2"), fx.if_a1).ret == XDP_DROP);
            CHECK(fx.reason(XP_REASON_DROP_SPOOFED).packets == 1);
            check_nothing_forwarded(fx);
        }
    }
    SECTION("a vSwitch without an IPv6 CIDR sends no IPv6 at all") {
        RouterFixture fx;  // vsw-a2 has 10.1.2.0/24 only
        CHECK(fx.run(udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2"), fx.if_a2).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_SPOOFED).packets == 1);
        check_nothing_forwarded(fx);
    }
}

TEST_CASE("every host address of the vSwitch may send, up to its last", "[router][hostile]") {
    RouterFixture fx;
    CHECK(fx.run(udp_frame("10.1.1.254", "10.2.1.2"), fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.run(udp_frame("10.1.1.2", "10.2.1.2"), fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.run(udp_frame("10.1.2.2", "10.2.1.2"), fx.if_a2).ret == XDP_REDIRECT);
    CHECK(fx.run(udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2"), fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.run(udp_frame("fd00:a:0:1:ffff:ffff:ffff:ffff", "fd00:b:0:1::2"), fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.reason(XP_REASON_DROP_SPOOFED).packets == 0);
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 5);
}

TEST_CASE("a spoofed reply cannot reflect into a third VPC", "[router][hostile]") {
    RouterFixture fx;
    // B peers with A and with C. From B with a source of A's, to C: C would answer A, which has
    // no active peering with C.
    CHECK(fx.run(udp_frame("10.1.1.2", "10.3.1.2"), fx.if_b1).ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_SPOOFED).packets == 1);
    CHECK(fx.port(fx.if_c1).tx.packets == 0);
    CHECK(fx.link(6, XP_DIR_A_TO_B).packets == 0);
}

TEST_CASE("malformed IPv4 is dropped as the kernel drops it, and never forwarded", "[router][hostile]") {
    RouterFixture fx;
    Frame good = udp_frame("10.1.1.2", "10.2.1.2");
    const uint16_t ip_len = static_cast<uint16_t>(good.bytes.size() - sizeof(ethhdr));
    auto with_total_length = [&](uint16_t tot_len) {
        Frame f = good;
        f.ip()->tot_len = htons(tot_len);
        f.ip()->check = 0;
        f.ip()->check = ipv4_checksum(f.ip());
        return f;
    };
    SECTION("a total length beyond the frame") {
        CHECK(fx.run(with_total_length(ip_len + 1), fx.if_a1).ret == XDP_DROP);
        CHECK(fx.run(with_total_length(0xffff), fx.if_a1).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 2);
    }
    SECTION("a total length shorter than the header") {
        CHECK(fx.run(with_total_length(19), fx.if_a1).ret == XDP_DROP);
        CHECK(fx.run(with_total_length(0), fx.if_a1).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 2);
    }
    SECTION("a wrong header checksum, which a TTL update would only carry on") {
        Frame f = good;
        f.ip()->check ^= htons(0x0100);
        CHECK(fx.run(f, fx.if_a1).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 1);
    }
    SECTION("a header length beyond the frame") {
        Frame f = good;
        f.bytes.resize(sizeof(ethhdr) + 24);
        f.ip()->ihl = 15;
        CHECK(fx.run(f, fx.if_a1).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 1);
    }
    check_nothing_forwarded(fx);
}

TEST_CASE("well-formed IPv4 the kernel forwards: padding after the packet, options with their checksum", "[router][hostile]") {
    RouterFixture fx;
    SECTION("a minimum-size frame's padding: the total length is the packet's") {
        Frame f = udp_frame("10.1.1.2", "10.2.1.2", 64, 0);  // 42 bytes, padded to 60
        f.bytes.resize(60, 0);
        auto r = fx.run(f, fx.if_a1);
        CHECK(r.ret == XDP_REDIRECT);
        CHECK(ipv4_checksum(r.out.ip()) == 0);
    }
    SECTION("a header with options (ihl 6 .. 15), checked whole") {
        for (uint8_t ihl : {6, 10, 15}) {
            Frame plain = udp_frame("10.1.1.2", "10.2.1.2");
            const size_t extra = (ihl - 5) * 4u;
            Frame f;
            f.bytes.assign(plain.bytes.begin(), plain.bytes.begin() + sizeof(ethhdr) + sizeof(iphdr));
            f.bytes.insert(f.bytes.end(), extra, 1);  // NOP options
            f.bytes.insert(f.bytes.end(), plain.bytes.begin() + sizeof(ethhdr) + sizeof(iphdr), plain.bytes.end());
            f.ip()->ihl = ihl;
            f.ip()->tot_len = htons(static_cast<uint16_t>(f.bytes.size() - sizeof(ethhdr)));
            f.ip()->check = 0;
            f.ip()->check = ipv4_checksum(f.ip());
            CHECK(fx.run(f, fx.if_a1).ret == XDP_REDIRECT);
            f.bytes[sizeof(ethhdr) + sizeof(iphdr) + extra - 1] ^= 0x40;  // the last option byte
            CHECK(fx.run(f, fx.if_a1).ret == XDP_DROP);
        }
        CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 3);
        CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 3);
    }
}

TEST_CASE("an IPv6 payload length beyond the frame is dropped as malformed", "[router][hostile]") {
    RouterFixture fx;
    Frame f = udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2");
    f.ip6()->payload_len = htons(ntohs(f.ip6()->payload_len) + 1);
    CHECK(fx.run(f, fx.if_a1).ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 1);
    check_nothing_forwarded(fx);
}

TEST_CASE("a subnet's network, gateway and broadcast addresses are nobody's to reach", "[router][hostile]") {
    // Across the peering: B's vsw-b1 is 10.2.1.0/24 and fd00:b:0:1::/64. In A: the gateway of
    // the vSwitch a packet came from (it would go straight back: a hairpin) and of its sibling.
    struct Case {
        const char* src;
        const char* dst;
    } cases[] = {
        {"10.1.1.2", "10.2.1.0"},           {"10.1.1.2", "10.2.1.1"},          {"10.1.1.2", "10.2.1.255"},
        {"10.1.1.2", "10.1.1.1"},           {"10.1.1.2", "10.1.1.255"},        {"10.1.1.2", "10.1.2.1"},
        {"10.1.1.2", "10.1.2.0"},           {"fd00:a:0:1::2", "fd00:b:0:1::"}, {"fd00:a:0:1::2", "fd00:b:0:1::1"},
        {"fd00:a:0:1::2", "fd00:a:0:1::1"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION("to " << c.dst) {
            RouterFixture fx;
            CHECK(fx.run(udp_frame(c.src, c.dst), fx.if_a1).ret == XDP_DROP);
            CHECK(fx.reason(XP_REASON_DROP_RESERVED).packets == 1);
            check_nothing_forwarded(fx);
        }
    }
    SECTION("the address after the gateway is an instance's, and is reached") {
        RouterFixture fx;
        CHECK(fx.run(udp_frame("10.1.1.2", "10.2.1.2"), fx.if_a1).ret == XDP_REDIRECT);
        CHECK(fx.run(udp_frame("10.1.1.2", "10.2.1.254"), fx.if_a1).ret == XDP_REDIRECT);
        CHECK(fx.reason(XP_REASON_DROP_RESERVED).packets == 0);
    }
}
