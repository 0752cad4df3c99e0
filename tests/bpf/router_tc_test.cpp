// The TC twin (xp_router_tc) against the XDP router (xp_router): the same frames, each into a
// fixture of its own, must get the same decision, leave as the same bytes and move the same
// counters (verdicts, links, ports).
#include <linux/pkt_cls.h>

#include <catch2/catch.hpp>

#include "datapath/counters.h"
#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;

namespace {

int tc_action_of(int xdp_action) {
    switch (xdp_action) {
        case XDP_REDIRECT:
            return TC_ACT_REDIRECT;
        case XDP_PASS:
            return TC_ACT_OK;
        case XDP_DROP:
            return TC_ACT_SHOT;
        default:
            return -1;
    }
}

struct Case {
    const char* what;
    Frame frame;
    int xdp_action;  // what the XDP router must answer (the twin: its tc equivalent)
    uint32_t RouterFixture::*ingress = &RouterFixture::if_a1;
};

// Every counter the data plane keeps, summed over CPUs: verdicts by reason, the links of every
// peering of the fixture, the ports' rx and tx.
struct Counters {
    std::vector<xp_counters> reasons;
    std::vector<LinkCounters> links;
    std::vector<xp_port> ports;
};

Counters counters(RouterFixture& fx) {
    Counters c;
    for (uint32_t r = 0; r < XP_REASON_MAX; ++r) c.reasons.push_back(fx.reason(static_cast<xp_reason>(r)));
    for (uint32_t slot : {5u, 6u, 7u})
        for (auto dir : {XP_DIR_A_TO_B, XP_DIR_B_TO_A}) c.links.push_back(fx.link(slot, dir));
    for (uint32_t ifindex : {fx.if_a1, fx.if_a2, fx.if_b1, fx.if_c1}) c.ports.push_back(fx.port(ifindex));
    return c;
}

void check_same(const Counters& xdp, const Counters& tc) {
    for (size_t r = 0; r < xdp.reasons.size(); ++r) {
        INFO("reason " << reason_name(static_cast<unsigned>(r)));
        CHECK(tc.reasons[r].packets == xdp.reasons[r].packets);
        CHECK(tc.reasons[r].bytes == xdp.reasons[r].bytes);
    }
    for (size_t l = 0; l < xdp.links.size(); ++l) {
        INFO("link " << l);
        CHECK(tc.links[l].packets == xdp.links[l].packets);
        CHECK(tc.links[l].bytes == xdp.links[l].bytes);
        CHECK(tc.links[l].drop_inactive == xdp.links[l].drop_inactive);
        CHECK(tc.links[l].drop_no_route == xdp.links[l].drop_no_route);
        CHECK(tc.links[l].drop_transit == xdp.links[l].drop_transit);
        CHECK(tc.links[l].drop_ttl == xdp.links[l].drop_ttl);
        CHECK(tc.links[l].drop_policer == xdp.links[l].drop_policer);
    }
    for (size_t p = 0; p < xdp.ports.size(); ++p) {
        INFO("port " << p);
        CHECK(tc.ports[p].rx.packets == xdp.ports[p].rx.packets);
        CHECK(tc.ports[p].rx.bytes == xdp.ports[p].rx.bytes);
        CHECK(tc.ports[p].tx.packets == xdp.ports[p].tx.packets);
        CHECK(tc.ports[p].tx.bytes == xdp.ports[p].tx.bytes);
    }
}

// Malformed frames the kernel lets a test run build as a socket buffer (it refuses one whose IPv4
// header is cut short): a wrong header checksum, a total length beyond the frame.
Frame bad_checksum_ipv4() {
    Frame f = udp_frame("10.1.1.2", "10.2.1.2");
    f.ip()->check ^= 0x0100;
    return f;
}

Frame long_total_length_ipv4() {
    Frame f = udp_frame("10.1.1.2", "10.2.1.2");
    f.ip()->tot_len = htons(static_cast<uint16_t>(ntohs(f.ip()->tot_len) + 1));
    f.ip()->check = 0;
    f.ip()->check = ipv4_checksum(f.ip());
    return f;
}

}  // namespace

TEST_CASE("the TC twin decides, rewrites and counts as the XDP router does", "[router][tc]") {
    const Case cases[] = {
        {"forward through a peering (v4)", udp_frame("10.1.1.2", "10.2.1.2"), XDP_REDIRECT},
        {"forward through a peering (v6)", udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2", 7), XDP_REDIRECT},
        {"the reply, the other direction", udp_frame("10.2.1.2", "10.1.1.2"), XDP_REDIRECT, &RouterFixture::if_b1},
        {"to another vSwitch of the VPC", udp_frame("10.1.1.2", "10.1.2.9"), XDP_REDIRECT},
        {"no route", udp_frame("10.1.1.2", "192.0.2.1"), XDP_DROP},
        {"transit through the peer's other peering", udp_frame("10.1.1.2", "10.3.1.2"), XDP_DROP},
        {"no vSwitch in the peer for the address", udp_frame("10.1.1.2", "10.2.200.1"), XDP_DROP},
        {"a peering that is not Activated", udp_frame("10.1.1.2", "10.5.0.1"), XDP_DROP},
        {"a spoofed source (another VPC's)", udp_frame("10.2.1.2", "10.2.1.3"), XDP_DROP},
        {"a spoofed source (v6)", udp_frame("fd00:b:0:1::2", "fd00:b:0:1::3"), XDP_DROP},
        {"TTL 1 (v4)", udp_frame("10.1.1.2", "10.2.1.2", 1), XDP_DROP},
        {"hop limit 1 (v6)", udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2", 1), XDP_DROP},
        {"to the subnet's gateway", udp_frame("10.1.1.2", "10.2.1.1"), XDP_DROP},
        {"a wrong IPv4 header checksum", bad_checksum_ipv4(), XDP_DROP},
        {"an IPv4 total length beyond the frame", long_total_length_ipv4(), XDP_DROP},
        {"ARP", arp_frame(), XDP_PASS},
        {"IPv6 multicast", udp_frame("fd00:a:0:1::2", "ff02::2"), XDP_PASS},
    };
    RouterFixture xdp, tc;
    REQUIRE(tc.dp.router_tc_fd() >= 0);
    REQUIRE(xdp.if_a1 == tc.if_a1);  // fresh namespaces: the same ifindexes, so the same frames out
    for (const auto& c : cases) {
        INFO(c.what);
        const auto x = xdp.run(c.frame, xdp.*c.ingress);
        const auto t = tc.run_tc(c.frame, tc.*c.ingress);
        CHECK(x.ret == c.xdp_action);
        CHECK(t.ret == tc_action_of(c.xdp_action));
        CHECK(t.out.bytes == x.out.bytes);
    }
    const auto foreign = udp_frame("10.1.1.2", "10.2.1.2");
    CHECK(xdp.run(foreign, 1 /* lo */).ret == XDP_PASS);
    CHECK(tc.run_tc(foreign, 1).ret == TC_ACT_OK);
    check_same(counters(xdp), counters(tc));
    CHECK(tc.reason(XP_REASON_FORWARD_PEERING).packets == 3);  // the cases reached the twin's counters
}

TEST_CASE("the TC twin counts a GSO super-packet as the segments the XDP router would see", "[router][tc]") {
    RouterFixture fx;
    // Four 100-byte UDP segments sent as one 400-byte datagram of a GSO super-packet: each segment
    // on the wire repeats the Ethernet, IPv4 and UDP headers.
    const Frame in = udp_frame("10.1.1.2", "10.2.1.2", 64, 400);
    const uint64_t headers = frames::udp_headers_len(Family::V4), wire = in.bytes.size() + 3 * headers;
    auto r = fx.run_tc(in, fx.if_a1, 4, 100);

    REQUIRE(r.ret == TC_ACT_REDIRECT);
    CHECK(r.out.ip()->ttl == 63);
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 4);
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).bytes == wire);
    const auto link = fx.link(5, XP_DIR_A_TO_B);
    CHECK(link.packets == 4);
    CHECK(link.bytes == wire - 4 * sizeof(ethhdr));  // a link counts IP bytes
    CHECK(fx.port(fx.if_a1).rx.packets == 4);
    CHECK(fx.port(fx.if_b1).tx.packets == 4);
    CHECK(fx.port(fx.if_b1).tx.bytes == wire);
}
