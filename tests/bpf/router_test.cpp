#include <sched.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>

#include "compiler/lpm_key.h"
#include "datapath/counters.h"
#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;

TEST_CASE("IPv4 through a peering: redirected to the peer's vSwitch, MACs rewritten, TTL and checksum updated", "[router]") {
    RouterFixture fx;
    Frame in = udp_frame("10.1.1.2", "10.2.1.2", 64);
    auto r = fx.run(in, fx.if_a1);

    REQUIRE(r.ret == XDP_REDIRECT);
    CHECK(r.out.dst_mac() == fixture_mac(2, 3));  // VPC side of vsw-b1
    CHECK(r.out.src_mac() == fixture_mac(1, 3));  // datapath side of vsw-b1
    CHECK(r.out.ip()->ttl == 63);
    CHECK(ipv4_checksum(r.out.ip()) == 0);  // a valid header sums to zero
    CHECK(r.out.ip()->check != in.ip()->check);

    // The egress port is vsw-b1's: its counters moved, and the route it took names its ifindex.
    CHECK(fx.port(fx.if_b1).tx.packets == 1);
    CHECK(fx.port(fx.if_a1).rx.packets == 1);
    CHECK(fx.port(fx.if_a1).tx.packets == 0);
    xp_route used{};
    REQUIRE(fx.dp.routes_v4.get(lpm_key_v4(2, Cidr::parse("10.2.1.0/24")), used));
    CHECK(used.target == fx.if_b1);

    auto link = fx.link(5, XP_DIR_A_TO_B);
    CHECK(link.packets == 1);
    CHECK(link.bytes == in.bytes.size() - sizeof(ethhdr));  // a link counts IP bytes
    CHECK(fx.link(5, XP_DIR_B_TO_A).packets == 0);
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 1);
}

TEST_CASE("a forwarded frame really leaves through the peer's vSwitch link, and no other", "[router]") {
    RouterFixture fx;
    uint64_t b = fx.rx_packets("b1p"), a2 = fx.rx_packets("a2p"), c = fx.rx_packets("c1p");
    fx.run_live(udp_frame("10.1.1.2", "10.2.1.2"), fx.if_a1);
    CHECK(fx.rx_packets("b1p") == b + 1);
    CHECK(fx.rx_packets("a2p") == a2);
    CHECK(fx.rx_packets("c1p") == c);

    fx.run_live(udp_frame("10.1.1.2", "10.1.2.9"), fx.if_a1);  // to the VPC's other vSwitch
    CHECK(fx.rx_packets("a2p") == a2 + 1);
    CHECK(fx.rx_packets("b1p") == b + 1);
}

TEST_CASE("IPv6 through a peering: hop limit decremented, MACs rewritten", "[router]") {
    RouterFixture fx;
    auto r = fx.run(udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2", 7), fx.if_a1);

    REQUIRE(r.ret == XDP_REDIRECT);
    CHECK(r.out.ip6()->hop_limit == 6);
    CHECK(r.out.dst_mac() == fixture_mac(2, 3));
    CHECK(r.out.src_mac() == fixture_mac(1, 3));
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 1);
    CHECK(fx.port(fx.if_b1).tx.packets == 1);
}

TEST_CASE("the accepter's reply is counted in the other direction", "[router]") {
    RouterFixture fx;
    auto r = fx.run(udp_frame("10.2.1.2", "10.1.1.2"), fx.if_b1);

    REQUIRE(r.ret == XDP_REDIRECT);
    CHECK(r.out.dst_mac() == fixture_mac(2, 1));
    CHECK(fx.link(5, XP_DIR_B_TO_A).packets == 1);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 0);
    CHECK(fx.port(fx.if_a1).tx.packets == 1);
}

TEST_CASE("between two vSwitches of one VPC: a system route, no peering counted", "[router]") {
    RouterFixture fx;
    auto r = fx.run(udp_frame("10.1.1.2", "10.1.2.9"), fx.if_a1);

    REQUIRE(r.ret == XDP_REDIRECT);
    CHECK(r.out.dst_mac() == fixture_mac(2, 2));
    CHECK(fx.reason(XP_REASON_FORWARD_LOCAL).packets == 1);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 0);
}

TEST_CASE("no route: dropped and counted", "[router]") {
    RouterFixture fx;
    Frame in = udp_frame("10.1.1.2", "192.0.2.1");
    auto r = fx.run(in, fx.if_a1);

    CHECK(r.ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_NO_ROUTE).packets == 1);
    CHECK(fx.reason(XP_REASON_DROP_NO_ROUTE).bytes == in.bytes.size());
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 0);
}

TEST_CASE("a transit attempt through the peer's other peering is dropped", "[router]") {
    RouterFixture fx;
    // A routes 10.3/16 to pcc-ab; B's table sends 10.3/16 on to pcc-bc: that second hop is refused.
    auto r = fx.run(udp_frame("10.1.1.2", "10.3.1.2"), fx.if_a1);

    CHECK(r.ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_TRANSIT).packets == 1);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_transit == 1);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 0);
    CHECK(fx.link(6, XP_DIR_A_TO_B).packets == 0);
    CHECK(fx.port(fx.if_c1).tx.packets == 0);
}

TEST_CASE("the peer VPC has no vSwitch for the address: dropped on the link as no route", "[router]") {
    RouterFixture fx;
    auto r = fx.run(udp_frame("10.1.1.2", "10.2.200.1"), fx.if_a1);

    CHECK(r.ret == XDP_DROP);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_no_route == 1);
    CHECK(fx.reason(XP_REASON_DROP_NO_ROUTE).packets == 1);
}

TEST_CASE("a peering that is not Activated drops and counts", "[router]") {
    RouterFixture fx;
    auto r = fx.run(udp_frame("10.1.1.2", "10.5.0.1"), fx.if_a1);

    CHECK(r.ret == XDP_DROP);
    CHECK(fx.link(7, XP_DIR_A_TO_B).drop_inactive == 1);
    CHECK(fx.reason(XP_REASON_DROP_INACTIVE).packets == 1);
}

TEST_CASE("TTL expiry drops before forwarding, v4 and v6", "[router]") {
    RouterFixture fx;
    CHECK(fx.run(udp_frame("10.1.1.2", "10.2.1.2", 1), fx.if_a1).ret == XDP_DROP);
    CHECK(fx.run(udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2", 1), fx.if_a1).ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_TTL).packets == 2);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_ttl == 2);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 0);
}

TEST_CASE("ARP, multicast and foreign ports go to the kernel untouched", "[router]") {
    RouterFixture fx;
    Frame arp = arp_frame();
    auto r = fx.run(arp, fx.if_a1);
    CHECK(r.ret == XDP_PASS);
    CHECK(r.out.bytes == arp.bytes);
    CHECK(fx.run(udp_frame("fd00:a:0:1::2", "ff02::2"), fx.if_a1).ret == XDP_PASS);
    CHECK(fx.run(udp_frame("10.1.1.2", "10.2.1.2"), 1 /* lo: not a vSwitch link */).ret == XDP_PASS);
    CHECK(fx.reason(XP_REASON_PASS_NOT_IP).packets == 1);
    CHECK(fx.reason(XP_REASON_PASS_LINK_LOCAL).packets == 1);
    CHECK(fx.reason(XP_REASON_UNKNOWN_PORT).packets == 1);
    CHECK(fx.lookups(XP_LOOKUP_COMPILED) + fx.lookups(XP_LOOKUP_TRIES) == 0);  // none of them was looked up
}

TEST_CASE("a truncated IPv4 header is dropped as malformed", "[router]") {
    RouterFixture fx;
    Frame in = udp_frame("10.1.1.2", "10.2.1.2");
    in.bytes.resize(sizeof(ethhdr) + 10);
    CHECK(fx.run(in, fx.if_a1).ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_MALFORMED).packets == 1);
    CHECK(fx.lookups(XP_LOOKUP_COMPILED) + fx.lookups(XP_LOOKUP_TRIES) == 0);
}

TEST_CASE("bandwidth: a full bucket passes its burst, then the policer drops and counts", "[router][policer]") {
    RouterFixture fx;
    OnCpu one(0);  // another CPU's stash would hold back a few of the bucket's bytes
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    const uint32_t len = static_cast<uint32_t>(frame.bytes.size() - sizeof(ethhdr));  // bandwidth is IP traffic
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    p.rate_bytes = 1;  // one byte a second: nothing refills during the test
    p.burst_bytes = 10 * len;
    fx.dp.peerings.put(5, p);

    int passed = 0;
    for (int i = 0; i < 25; ++i) passed += fx.run(frame, fx.if_a1).ret == XDP_REDIRECT;
    CHECK(passed == 10);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_policer == 15);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 10);
    CHECK(fx.reason(XP_REASON_DROP_POLICER).packets == 15);
    // each direction has its own bucket
    CHECK(fx.run(udp_frame("10.2.1.2", "10.1.1.2"), fx.if_b1).ret == XDP_REDIRECT);
}

TEST_CASE("bandwidth: one bucket for every CPU, and unlimited when the rate is 0", "[router][policer]") {
    RouterFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    CHECK(p.rate_bytes == 0);  // the fixture's connections are intra-region: unlimited
    for (int i = 0; i < 50; ++i) REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_policer == 0);

    p.rate_bytes = 1;
    p.burst_bytes = 3 * static_cast<uint32_t>(frame.bytes.size() - sizeof(ethhdr));
    fx.dp.peerings.put(5, p);
    xp_policer bucket{};
    fx.dp.policers.put(5 * XP_DIR_MAX + XP_DIR_A_TO_B, bucket);
    for (int i = 0; i < 5; ++i) fx.run(frame, fx.if_a1);
    REQUIRE(fx.dp.policers.get(5 * XP_DIR_MAX + XP_DIR_A_TO_B, bucket));
    CHECK(bucket.tokens < frame.bytes.size());  // the shared bucket, not a per-CPU copy, was drained
    CHECK(bucket.last_ns > 0);
}

TEST_CASE("bandwidth: packets closer together than a byte's worth of time still earn the rate", "[router][policer]") {
    RouterFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    const uint64_t ip_len = frame.bytes.size() - sizeof(ethhdr);
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    p.rate_bytes = 5'000;  // a byte every 200 us: each test run comes sooner than that
    // Four packets deep: a loaded machine runs the test in bursts, and a one-packet bucket would
    // lose what a gap longer than a packet's worth of time earns.
    p.burst_bytes = 4 * ip_len;
    fx.dp.peerings.put(5, p);

    uint64_t passed = 0, runs = 0;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300))
        passed += fx.run(frame, fx.if_a1).ret == XDP_REDIRECT ? ip_len : 0, ++runs;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double earned = p.burst_bytes + p.rate_bytes * seconds;
    INFO("passed " << passed << " bytes in " << seconds << " s (" << runs << " runs); the rate allows " << earned);
    const double offered = static_cast<double>(runs * ip_len);  // a loaded machine may offer less than the rate
    CHECK(passed <= earned + ip_len);
    CHECK(passed >= 0.8 * std::min(earned, offered));  // dropping each packet's fraction of a byte would pass ~nothing
}

TEST_CASE("bandwidth: a CPU pays from its stash without the lock, and holds at most 1/64 of the bucket", "[router][policer]") {
    RouterFixture fx;
    OnCpu one(0);
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    const uint64_t len = frame.bytes.size() - sizeof(ethhdr);
    const uint32_t link = 5 * XP_DIR_MAX + XP_DIR_A_TO_B;
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    p.rate_bytes = 1;
    p.burst_bytes = 640 * len;  // a stash of 10 packets
    fx.dp.peerings.put(5, p);
    auto shared = [&] {
        xp_policer b{};
        REQUIRE(fx.dp.policers.get(link, b));
        return b.tokens;
    };
    auto stash = [&] { return fx.dp.link_stats.read_percpu(link)[0].policer_stash; };

    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(shared() == p.burst_bytes - len - 10 * len);  // what it lacked, and a stash more
    CHECK(stash() == 10 * len);
    for (int i = 0; i < 10; ++i) REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(shared() == p.burst_bytes - 11 * len);  // ten packets paid from the stash
    CHECK(stash() == 0);
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(shared() == p.burst_bytes - 22 * len);
    CHECK(stash() == 10 * len);

    p.burst_bytes = 128 * len;  // a lower bandwidth: the stash taken under the old one is cut
    fx.dp.peerings.put(5, p);
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(stash() == len);
}

TEST_CASE("bandwidth: a host's part of a shared link, its equal part once the lease ran out, never another's or more",
          "[router][policer]") {
    RouterFixture fx;
    OnCpu one(0);
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    const uint64_t len = frame.bytes.size() - sizeof(ethhdr);
    const uint32_t link = 5 * XP_DIR_MAX + XP_DIR_A_TO_B;
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    REQUIRE(p.owner != 0);
    p.rate_bytes = 2;  // nothing refills during the test
    p.burst_bytes = 100 * len;
    fx.dp.peerings.put(5, p);
    // Packets that pass out of 120, from a full bucket.
    auto passed = [&](const xp_link_share& share) {
        fx.dp.link_shares.put(link, share);
        fx.dp.policers.put(link, xp_policer{});
        std::vector<xp_link_counters> zero(fx.dp.link_stats.read_percpu(link).size());
        fx.dp.link_stats.write_percpu(link, zero);  // no stash from before
        int n = 0;
        for (int i = 0; i < 120; ++i) n += fx.run(frame, fx.if_a1).ret == XDP_REDIRECT;
        return n;
    };
    const uint64_t now = ktime_ns(std::chrono::steady_clock::now());
    xp_link_share share{1, 10 * len, 1, 20 * len, now + 60'000'000'000ull, p.owner, 0};
    CHECK(passed(share) == 10);                                                   // the part's burst, not the connection's
    CHECK(fx.dp.link_stats.read_percpu(link)[0].policer_stash <= 10 * len / 64);  // the part's stash

    share.until_ns = now - 1;  // the agent stopped renewing it
    CHECK(passed(share) == 20);

    share.until_ns = now + 60'000'000'000ull;
    share.owner = p.owner + 1;  // written for a connection that had the slot before
    CHECK(passed(share) == 100);

    share.owner = p.owner;
    share.rate_bytes = 3;  // above the connection's rate
    CHECK(passed(share) == 100);

    CHECK(passed(xp_link_share{}) == 100);  // no part: the connection's
}

TEST_CASE("counters: a packet counts in the region of the CPU that ran it, and only there", "[router]") {
    RouterFixture fx;
    const unsigned cpus = cpu_ids();
    cpu_set_t allowed;
    REQUIRE(sched_getaffinity(0, sizeof(allowed), &allowed) == 0);
    int cpu = 0;  // the highest this test may run on: another region than CPU 0's where there is one
    for (int c = 0; c < CPU_SETSIZE && c < static_cast<int>(cpus); ++c)
        if (CPU_ISSET(c, &allowed)) cpu = c;
    OnCpu on(cpu);
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    const auto verdicts = fx.dp.verdicts.read_percpu(0);
    const auto a1 = fx.dp.ports.read_percpu(fx.if_a1);
    const auto crossed = fx.dp.link_stats.read_percpu(5 * XP_DIR_MAX + XP_DIR_A_TO_B);
    REQUIRE(verdicts.size() == cpus);
    for (unsigned c = 0; c < cpus; ++c) {
        const uint64_t want = c == static_cast<unsigned>(cpu) ? 1 : 0;
        CHECK(verdicts[c].reason[XP_REASON_FORWARD_PEERING].packets == want);
        CHECK(verdicts[c].lookup[XP_LOOKUP_COMPILED] == want);
        CHECK(a1[c].rx.packets == want);
        CHECK(a1[c].vpc == 1);  // every CPU's copy names the VPC
        CHECK(crossed[c].packets == want);
    }
    // The neighbouring elements of that CPU's region stay untouched.
    CHECK(verdicts[cpu].reason[XP_REASON_FORWARD_LOCAL].packets == 0);
    CHECK(verdicts[cpu].lookup[XP_LOOKUP_TRIES] == 0);
    CHECK(a1[cpu].tx.packets == 0);
}
