// Between hosts: the router's encapsulation of frames for vSwitches on another host (XDP and its
// TC twin), and the underlay's decapsulation (xp_underlay) with its checks: only registered hosts,
// only to a vSwitch of the VNI's VPC on this host, never onwards through a peering or a tunnel.
#include <linux/pkt_cls.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>

#include "compiler/compiler.h"
#include "datapath/counters.h"
#include "datapath/reconcile.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;

namespace {

constexpr Mac kUnderlayPeerMac{0x02, 0x77, 0x22, 0x22, 0x22, 0x22};  // host h2's underlay, as the neighbour table has it
constexpr size_t kOuterV4 = 14 + 20 + 8 + 8;

void ip(const std::string& netns, const std::string& args) {
    const std::string cmd = "ip -n " + netns + " " + args;
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error(cmd + " failed");
}

// The router fixture as host h1 (underlay 192.0.2.1 on "ul"), with host h2 at 192.0.2.2 (its MAC
// in the neighbour table) carrying vsw-b2 (VPC B) and vsw-a3 (VPC A), and host h3 at
// 198.51.100.3, to which the underlay has no route, carrying vsw-b3.
struct HostsFixture : RouterFixture {
    uint32_t if_ul = 0;
    Mac ul_mac{};

    HostsFixture() {
        ip(netns, "link add ul type veth peer name ulp");
        ip(netns, "link set ul up");
        ip(netns, "link set ulp up");
        ip(netns, "addr add 192.0.2.1/24 dev ul");
        ip(netns, "neigh replace 192.0.2.2 lladdr " + mac_str(kUnderlayPeerMac) + " dev ul nud permanent");
        netns::set_sysctl(netns, "net/ipv4/conf/ul/forwarding", "1");  // as the agent sets it: bpf_fib_lookup needs it
        if_ul = links::ifindex(netns, "ul");
        for (auto& v : snapshot.vswitches) v.host = "h1";
        auto remote = [](const std::string& id, const std::string& vpc, const std::string& cidr, const std::string& v6,
                         const std::string& host) {
            VSwitch s;
            s.id = id;
            s.vpc_id = vpc;
            s.cidr = Cidr::parse(cidr);
            if (!v6.empty()) s.ipv6_cidr = Cidr::parse(v6);
            s.host = host;
            return s;
        };
        snapshot.vswitches.push_back(remote("vsw-b2", "vpc-b", "10.2.2.0/24", "fd00:b:0:2::/64", "h2"));
        snapshot.vswitches.push_back(remote("vsw-a3", "vpc-a", "10.1.3.0/24", "", "h2"));
        snapshot.vswitches.push_back(remote("vsw-b3", "vpc-b", "10.2.3.0/24", "", "h3"));
        snapshot.hosts = {Host{"h1", "cn-hangzhou", IpAddr::parse("192.0.2.1"), 0},
                          Host{"h2", "cn-hangzhou", IpAddr::parse("192.0.2.2"), 0},
                          Host{"h3", "cn-hangzhou", IpAddr::parse("198.51.100.3"), 0}};
        snapshot.local = LocalHost{"h1", if_ul};
        reconcile(compile(snapshot, ports), dp);
    }
};

const uint8_t* at(const Frame& f, size_t offset) { return f.bytes.data() + offset; }
uint16_t be16(const Frame& f, size_t offset) { return static_cast<uint16_t>(at(f, offset)[0] << 8 | at(f, offset)[1]); }
uint32_t vni_of(const Frame& f, size_t vxlan) {
    return static_cast<uint32_t>(at(f, vxlan + 4)[0]) << 16 | at(f, vxlan + 5)[0] << 8 | at(f, vxlan + 6)[0];
}

// What h2's router would send h1: the inner frame in VXLAN with `vni`, from `outer_src`.
Frame vxlan_frame(const Frame& inner, uint32_t vni, const std::string& outer_src = "192.0.2.2", uint8_t flags = 0x08) {
    frames::UdpFrameSpec spec;
    spec.src = IpAddr::parse(outer_src);
    spec.dst = IpAddr::parse("192.0.2.1");
    spec.sport = 51000;
    spec.dport = XP_VXLAN_PORT;
    spec.payload = 8 + inner.bytes.size();
    Frame f = frames::udp_frame(spec);
    uint8_t* vx = f.bytes.data() + kOuterV4 - 8;
    std::memset(vx, 0, 8);
    vx[0] = flags;
    vx[4] = static_cast<uint8_t>(vni >> 16);
    vx[5] = static_cast<uint8_t>(vni >> 8);
    vx[6] = static_cast<uint8_t>(vni);
    std::memcpy(vx + 8, inner.bytes.data(), inner.bytes.size());
    return f;
}

// The underlay's two hooks: xp_underlay in XDP, xp_underlay_tc on tc ingress.
enum class Hook { Xdp, Tc };

RunResult run_underlay(HostsFixture& fx, Hook hook, const Frame& f) {
    return hook == Hook::Xdp ? fx.run_underlay(f, fx.if_ul) : fx.run_underlay_tc(f, fx.if_ul);
}

// The hook's word for what XDP calls `xdp_action`. The tc hook passes the host's own traffic on
// to whatever else runs on the NIC (TC_ACT_UNSPEC: tcx's next).
int action(Hook hook, int xdp_action) {
    if (hook == Hook::Xdp) return xdp_action;
    return xdp_action == XDP_REDIRECT ? TC_ACT_REDIRECT : xdp_action == XDP_PASS ? TC_ACT_UNSPEC : TC_ACT_SHOT;
}

}  // namespace

TEST_CASE("a frame for a vSwitch on another host leaves in VXLAN, its VNI the destination VPC", "[bpf][tunnel]") {
    HostsFixture fx;
    const Frame in = udp_frame("10.1.1.5", "10.2.2.5");  // A -> B through pcc-ab; vsw-b2 is on h2
    const auto r = fx.run(in, fx.if_a1);
    REQUIRE(r.ret == XDP_REDIRECT);
    REQUIRE(r.out.bytes.size() == in.bytes.size() + kOuterV4);
    CHECK(r.out.dst_mac() == kUnderlayPeerMac);  // from the FIB's neighbour
    CHECK(be16(r.out, 12) == ETH_P_IP);
    const auto* outer = reinterpret_cast<const frames::frame_iphdr*>(at(r.out, 14));
    CHECK(static_cast<uint32_t>(outer->saddr) == inet_addr("192.0.2.1"));  // a copy: the field is not 4-byte aligned
    CHECK(static_cast<uint32_t>(outer->daddr) == inet_addr("192.0.2.2"));
    CHECK(outer->protocol == IPPROTO_UDP);
    CHECK(ntohs(outer->tot_len) == r.out.bytes.size() - 14);
    CHECK(frames::ipv4_checksum(outer) == 0);  // a valid header sums to all ones
    CHECK(be16(r.out, 34 + 2) == XP_VXLAN_PORT);
    CHECK(be16(r.out, 34) >= 49152);
    CHECK(at(r.out, 42)[0] == 0x08);
    CHECK(vni_of(r.out, 42) == 2);  // vpc-b's key
    Frame inner;
    inner.bytes.assign(r.out.bytes.begin() + kOuterV4, r.out.bytes.end());
    CHECK(static_cast<uint32_t>(inner.ip()->daddr) == inet_addr("10.2.2.5"));
    CHECK(inner.ip()->ttl == 63);
    CHECK(frames::ipv4_checksum(inner.ip()) == 0);
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 1);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 1);  // counted where it is sent
    CHECK(fx.port(fx.if_a1).rx.packets == 1);

    SECTION("the TC twin writes the same bytes") {
        HostsFixture twin;
        const auto t = twin.run_tc(in, twin.if_a1);
        CHECK(t.ret == TC_ACT_REDIRECT);
        REQUIRE(t.out.bytes.size() == r.out.bytes.size());
        CHECK(std::equal(t.out.bytes.begin() + 12, t.out.bytes.end(),
                         r.out.bytes.begin() + 12));  // after the MACs: each fixture has its own ul
        CHECK(twin.link(5, XP_DIR_A_TO_B).packets == 1);
    }
}

TEST_CASE("a VPC's own vSwitch on another host, and IPv6 inside", "[bpf][tunnel]") {
    HostsFixture fx;
    auto r = fx.run(udp_frame("10.1.1.5", "10.1.3.9"), fx.if_a1);
    REQUIRE(r.ret == XDP_REDIRECT);
    CHECK(vni_of(r.out, 42) == 1);  // vpc-a
    CHECK(fx.reason(XP_REASON_FORWARD_LOCAL).packets == 1);

    const Frame v6 = udp_frame("fd00:a:0:1::5", "fd00:b:0:2::5");
    r = fx.run(v6, fx.if_a1);
    REQUIRE(r.ret == XDP_REDIRECT);
    REQUIRE(r.out.bytes.size() == v6.bytes.size() + kOuterV4);
    CHECK(vni_of(r.out, 42) == 2);
    CHECK(be16(r.out, kOuterV4 + 12) == ETH_P_IPV6);
    CHECK(at(r.out, kOuterV4 + 14 + 7)[0] == 63);  // the hop limit, one less
}

TEST_CASE("the outer header carries the link type's DSCP: Platinum EF, Gold AF11, none within a VPC", "[bpf][tunnel]") {
    HostsFixture fx;
    auto tos_to = [&](const std::string& link_type, const char* dst) {
        for (auto& p : fx.snapshot.peerings) p.link_type = link_type;
        reconcile(compile(fx.snapshot, fx.ports), fx.dp);
        const auto r = fx.run(udp_frame("10.1.1.5", dst), fx.if_a1);
        REQUIRE(r.ret == XDP_REDIRECT);
        const auto t = fx.run_tc(udp_frame("10.1.1.5", dst), fx.if_a1);  // the TC twin marks alike
        REQUIRE(t.ret == TC_ACT_REDIRECT);
        CHECK(at(t.out, 15)[0] == at(r.out, 15)[0]);
        const auto* outer = reinterpret_cast<const frames::frame_iphdr*>(at(r.out, 14));
        CHECK(frames::ipv4_checksum(outer) == 0);
        return static_cast<int>(outer->tos);
    };
    CHECK(tos_to("Platinum", "10.2.2.5") == 46 << 2);
    CHECK(tos_to("Gold", "10.2.2.5") == 10 << 2);
    CHECK(tos_to("", "10.2.2.5") == 0);
    CHECK(tos_to("Platinum", "10.1.3.9") == 0);  // vpc-a's own vSwitch on h2: no connection crossed
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    CHECK(p.dscp == 46);
}

TEST_CASE("a full underlay drops the classes below Platinum first, and bills nothing it drops", "[bpf][tunnel]") {
    HostsFixture fx;
    fx.snapshot.local.underlay_bandwidth_mbps = 8;  // 1 MB/s: a bucket of 120 KiB
    const xp_underlay_qos qos = underlay_qos_of(8);
    const uint64_t gold = qos.reserve_bytes[10], other = qos.reserve_bytes[0];
    REQUIRE(qos.reserve_bytes[46] == 0);
    REQUIRE((0 < gold && gold < other && other < qos.burst_bytes));
    auto as = [&](const std::string& link_type) {
        for (auto& p : fx.snapshot.peerings) p.link_type = link_type;
        reconcile(compile(fx.snapshot, fx.ports), fx.dp);
    };
    // The bucket holds `tokens`, its clock ahead of the router's so that nothing refills it.
    auto fill = [&](uint64_t tokens) {
        xp_policer b{};
        b.tokens = tokens;
        b.last_ns = ktime_ns(std::chrono::steady_clock::now()) + 60'000'000'000ull;
        fx.dp.underlay_policer.put(0, b);
    };
    auto tokens = [&] {
        xp_policer b{};
        fx.dp.underlay_policer.get(0, b);
        return b.tokens;
    };
    const Frame to_b = udp_frame("10.1.1.5", "10.2.2.5");    // through pcc-ab
    const Frame to_own = udp_frame("10.1.1.5", "10.1.3.9");  // vpc-a's own vSwitch on h2: no link type
    const uint64_t wire = to_b.bytes.size() + kOuterV4;
    as("Gold");
    xp_underlay_qos written{};
    REQUIRE(fx.dp.underlay_qos.get(0, written));
    CHECK(bytes_equal(written, qos));

    fill(gold + wire);  // room for one Gold frame above Gold's reserve; none above the default's
    CHECK(fx.run(to_own, fx.if_a1).ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_UNDERLAY_FULL).packets == 1);
    CHECK(fx.reason(XP_REASON_DROP_UNDERLAY_FULL).bytes == to_own.bytes.size());
    CHECK(fx.run(to_b, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(tokens() == gold);  // the frame paid its outer headers too
    CHECK(fx.run(to_b, fx.if_a1).ret == XDP_DROP);
    CHECK(fx.run_tc(to_b, fx.if_a1).ret == TC_ACT_SHOT);  // the TC twin polices alike
    CHECK(fx.reason(XP_REASON_DROP_UNDERLAY_FULL).packets == 3);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 1);  // billed: only the frame that left

    as("Platinum");  // the same bucket: Platinum takes what Gold leaves
    const uint64_t left = tokens();
    CHECK(left == gold);
    for (uint64_t sent = 0; sent + wire <= left; sent += wire) CHECK(fx.run(to_b, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.run(to_b, fx.if_a1).ret == XDP_DROP);  // empty
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 1 + left / wire);

    SECTION("a GSO super-packet needs room for all its segments above its reserve") {
        as("Gold");
        // Four 100-byte UDP segments in one datagram; each segment repeats the headers on the wire.
        const Frame super = udp_frame("10.1.1.5", "10.2.2.5", 64, 400);
        const uint64_t all = super.bytes.size() + 3 * frames::udp_headers_len(Family::V4) + 4 * kOuterV4;
        // The test run's socket buffer has no GSO type, so its encapsulation fails whatever the
        // policer decided: the bucket and the verdicts tell.
        const auto full = [&] { return fx.reason(XP_REASON_DROP_UNDERLAY_FULL).packets; };
        const uint64_t before = full();
        fill(gold + all - 1);
        fx.run_tc(super, fx.if_a1, 4, 100);
        CHECK(full() == before + 4);
        CHECK(tokens() == gold + all - 1);
        fill(gold + all);
        fx.run_tc(super, fx.if_a1, 4, 100);
        CHECK(full() == before + 4);
        CHECK(tokens() == gold);  // Platinum's band left whole
    }

    SECTION("an underlay whose agent gave no bandwidth is not policed") {
        fx.snapshot.local.underlay_bandwidth_mbps = 0;
        as("Gold");
        CHECK(fx.dp.underlay_qos.get(0, written));
        CHECK(written.rate_bytes == 0);
        for (int i = 0; i < 4; ++i) CHECK(fx.run(to_b, fx.if_a1).ret == XDP_REDIRECT);
    }
}

TEST_CASE("the outer source port follows the inner flow: same flow same port, other ports another", "[bpf][tunnel]") {
    HostsFixture fx;
    auto outer_port = [&](uint16_t sport) {
        frames::UdpFrameSpec spec;
        spec.src = IpAddr::parse("10.1.1.5");
        spec.dst = IpAddr::parse("10.2.2.5");
        spec.sport = sport;
        const auto r = fx.run(frames::udp_frame(spec), fx.if_a1);
        REQUIRE(r.ret == XDP_REDIRECT);
        return be16(r.out, 34);
    };
    CHECK(outer_port(40000) == outer_port(40000));
    CHECK(outer_port(40000) != outer_port(40001));
}

TEST_CASE("no way to the other host: dropped and counted, never sent raw", "[bpf][tunnel]") {
    HostsFixture fx;
    const auto r = fx.run(udp_frame("10.1.1.5", "10.2.3.5"), fx.if_a1);  // vsw-b3 on h3: no route to 198.51.100.3
    CHECK(r.ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_UNDERLAY).packets == 1);
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 0);
    CHECK(fx.run_tc(udp_frame("10.1.1.5", "10.2.3.5"), fx.if_a1).ret == TC_ACT_SHOT);
}

TEST_CASE("peering stays non-transitive across hosts", "[bpf][tunnel]") {
    HostsFixture fx;
    // A routes 10.3.0.0/16 to pcc-ab, and B reaches C through pcc-bc: B's table after the crossing has no system route there.
    CHECK(fx.run(udp_frame("10.1.1.5", "10.3.1.5"), fx.if_a1).ret == XDP_DROP);
    CHECK(fx.reason(XP_REASON_DROP_TRANSIT).packets == 1);
}

TEST_CASE("the underlay delivers a registered host's VXLAN to the VNI's vSwitch", "[bpf][tunnel]") {
    const Hook hook = GENERATE(Hook::Xdp, Hook::Tc);
    INFO((hook == Hook::Xdp ? "xp_underlay" : "xp_underlay_tc"));
    HostsFixture fx;
    const Frame inner = udp_frame("10.1.3.9", "10.2.1.5", 63);  // from A's vsw-a3 on h2, crossed pcc-ab there
    auto r = run_underlay(fx, hook, vxlan_frame(inner, 2));
    REQUIRE(r.ret == action(hook, XDP_REDIRECT));
    REQUIRE(r.out.bytes.size() == inner.bytes.size());
    CHECK(r.out.dst_mac() == fixture_mac(2, 3));  // vsw-b1's VPC end
    CHECK(r.out.src_mac() == fixture_mac(1, 3));
    CHECK(std::equal(r.out.bytes.begin() + 12, r.out.bytes.end(), inner.bytes.begin() + 12));
    CHECK(fx.reason(XP_REASON_FORWARD_TUNNEL_IN).packets == 1);
    CHECK(fx.reason(XP_REASON_FORWARD_TUNNEL_IN).bytes == inner.bytes.size());
    CHECK(fx.port(fx.if_b1).tx.packets == 1);

    const Frame inner6 = udp_frame("fd00:a:0:1::5", "fd00:b:0:1::5", 63);  // IPv6 inside IPv4
    r = run_underlay(fx, hook, vxlan_frame(inner6, 2));
    REQUIRE(r.ret == action(hook, XDP_REDIRECT));
    REQUIRE(r.out.bytes.size() == inner6.bytes.size());
    CHECK(be16(r.out, 12) == ETH_P_IPV6);
    CHECK(std::equal(r.out.bytes.begin() + 12, r.out.bytes.end(), inner6.bytes.begin() + 12));
    CHECK(fx.port(fx.if_b1).tx.packets == 2);
}

TEST_CASE("the underlay's tc hook counts a GSO super-packet as the segments it stands for", "[bpf][tunnel]") {
    HostsFixture fx;
    frames::UdpFrameSpec spec;
    spec.src = IpAddr::parse("10.1.3.9");
    spec.dst = IpAddr::parse("10.2.1.5");
    spec.payload = 3000;
    const Frame inner = frames::udp_frame(spec);
    const Frame outer = vxlan_frame(inner, 1);  // forged: VPC A does not own 10.2.1.5, dropped before any change
    const uint32_t mss = 1000, headers = kOuterV4 + 14 + 20 + 8;
    // Segments count as the kernel would make them: from gso_segs, or, where the sending host's
    // program changed the headers (gso_segs 0), from the payload and the segment size.
    CHECK(fx.run_underlay_tc(outer, fx.if_ul, 0, mss).ret == TC_ACT_SHOT);
    CHECK(fx.reason(XP_REASON_DROP_TUNNEL_VNI).packets == 3);
    CHECK(fx.reason(XP_REASON_DROP_TUNNEL_VNI).bytes == inner.bytes.size() + 2 * (headers - kOuterV4));
    CHECK(fx.run_underlay_tc(outer, fx.if_ul, 4, mss).ret == TC_ACT_SHOT);
    CHECK(fx.reason(XP_REASON_DROP_TUNNEL_VNI).packets == 3 + 4);
}

TEST_CASE("the underlay refuses what a host did not send or a VPC does not own", "[bpf][tunnel]") {
    const Hook hook = GENERATE(Hook::Xdp, Hook::Tc);
    INFO((hook == Hook::Xdp ? "xp_underlay" : "xp_underlay_tc"));
    HostsFixture fx;
    const Frame to_b1 = udp_frame("10.1.3.9", "10.2.1.5", 63);
    struct Case {
        const char* what;
        Frame frame;
        int action;
        xp_reason reason;
    };
    const Case cases[] = {
        {"from an address that is no registered host", vxlan_frame(to_b1, 2, "192.0.2.99"), XDP_DROP, XP_REASON_DROP_TUNNEL_SOURCE},
        {"a forged VNI: VPC A does not own 10.2.1.5", vxlan_frame(to_b1, 1), XDP_DROP, XP_REASON_DROP_TUNNEL_VNI},
        {"a VNI of no VPC", vxlan_frame(to_b1, 77), XDP_DROP, XP_REASON_DROP_TUNNEL_VNI},
        {"onwards through a peering: B routes 10.1.1.5 to pcc-ab", vxlan_frame(udp_frame("10.2.2.5", "10.1.1.5", 63), 2), XDP_DROP,
         XP_REASON_DROP_TUNNEL_VNI},
        {"onwards to another host: vsw-b2 is h2's", vxlan_frame(udp_frame("10.1.1.5", "10.2.2.5", 63), 2), XDP_DROP,
         XP_REASON_DROP_TUNNEL_VNI},
        {"to a reserved address of the vSwitch", vxlan_frame(udp_frame("10.1.3.9", "10.2.1.255", 63), 2), XDP_DROP,
         XP_REASON_DROP_TUNNEL_VNI},
        {"without the VNI flag", vxlan_frame(to_b1, 2, "192.0.2.2", 0x00), XDP_DROP, XP_REASON_DROP_MALFORMED},
        {"an inner frame that is not IP", vxlan_frame(frames::arp_frame(), 2), XDP_DROP, XP_REASON_DROP_MALFORMED},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const uint64_t before = fx.reason(c.reason).packets;
        CHECK(run_underlay(fx, hook, c.frame).ret == action(hook, c.action));
        CHECK(fx.reason(c.reason).packets == before + 1);
    }
    CHECK(fx.reason(XP_REASON_FORWARD_TUNNEL_IN).packets == 0);
    CHECK(fx.port(fx.if_b1).tx.packets == 0);

    SECTION("the host's own traffic goes up to its kernel untouched") {
        Frame truncated = vxlan_frame(to_b1, 2);
        truncated.bytes.resize(kOuterV4 - 4);
        const Frame others[] = {udp_frame("192.0.2.2", "192.0.2.1"), frames::arp_frame()};
        for (const auto& f : others) CHECK(run_underlay(fx, hook, f).ret == action(hook, XDP_PASS));
        CHECK(run_underlay(fx, hook, truncated).ret ==
              action(hook, XDP_PASS));  // its IP header claims more than the frame holds: the kernel's
    }
}
