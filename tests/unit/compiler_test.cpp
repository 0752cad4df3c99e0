#include <catch2/catch.hpp>

#include "compiler/compiler.h"
#include "compiler/lpm_key.h"

using namespace xpeer;

namespace {

// The seed's route-table example: VPC1 172.16.0.0/12 + 2408:4000:0:3f00::/56,
// VPC2 192.168.0.0/16 + 2408:4000:0:4000::/56, routes at both ends through pcc-aaabbb.
Snapshot seed_example(PeeringStatus status = PeeringStatus::Activated) {
    Snapshot s;
    Vpc v1;
    v1.key = 1;
    v1.id = "vpc-1";
    v1.cidr = Cidr::parse("172.16.0.0/12");
    v1.ipv6_cidr = Cidr::parse("2408:4000:0:3f00::/56");
    Vpc v2 = v1;
    v2.key = 2;
    v2.id = "vpc-2";
    v2.cidr = Cidr::parse("192.168.0.0/16");
    v2.ipv6_cidr = Cidr::parse("2408:4000:0:4000::/56");
    s.vpcs = {v1, v2};
    VSwitch a;
    a.number = 0;
    a.id = "vsw-1";
    a.vpc_id = "vpc-1";
    a.cidr = Cidr::parse("172.16.1.0/24");
    a.ipv6_cidr = Cidr::parse("2408:4000:0:3f01::/64");
    VSwitch b;
    b.number = 1;
    b.id = "vsw-2";
    b.vpc_id = "vpc-2";
    b.cidr = Cidr::parse("192.168.1.0/24");
    s.vswitches = {a, b};
    Peering p;
    p.slot = 3;
    p.id = "pcc-aaabbb";
    p.vpc_id = "vpc-1";
    p.peer_vpc_id = "vpc-2";
    p.status = status;
    s.peerings = {p};
    s.routes = {RouteEntry{"rte-1", "vpc-1", Cidr::parse("192.168.0.0/16"), "pcc-aaabbb", 0},
                RouteEntry{"rte-2", "vpc-1", Cidr::parse("2408:4000:0:4000::/56"), "pcc-aaabbb", 0},
                RouteEntry{"rte-3", "vpc-2", Cidr::parse("172.16.0.0/12"), "pcc-aaabbb", 0},
                RouteEntry{"rte-4", "vpc-2", Cidr::parse("2408:4000:0:3f00::/56"), "pcc-aaabbb", 0}};
    return s;
}

PortMap ports() {
    return {{"vsw-1", PortInfo{11, Mac{2, 0, 0, 0, 0, 1}, Mac{2, 0, 0, 0, 1, 1}}},
            {"vsw-2", PortInfo{12, Mac{2, 0, 0, 0, 0, 2}, Mac{2, 0, 0, 0, 1, 2}}}};
}

}  // namespace

TEST_CASE("the seed's example compiles to system routes, route entries, ports and one peering", "[compiler]") {
    Tables t = compile(seed_example(), ports());

    REQUIRE(t.ports.size() == 2);
    xp_port vpc1_port{};  // its VPC and the sources it may send from: both its CIDRs
    vpc1_port.vpc = 1;
    const uint8_t v4[4] = {172, 16, 1, 0}, v6[16] = {0x24, 0x08, 0x40, 0, 0, 0, 0x3f, 0x01};
    std::memcpy(vpc1_port.src_v4, v4, 4);
    std::memcpy(vpc1_port.src_v6, v6, 16);
    vpc1_port.src_v4_len = 24;
    vpc1_port.src_v6_len = 64;
    CHECK(bytes_equal(t.ports.at(11), vpc1_port));  // written whole: counters and padding zero
    CHECK(t.ports.at(12).vpc == 2);
    CHECK(t.ports.at(12).src_v4_len == 24);
    CHECK(t.ports.at(12).src_v6_len == 0);  // no IPv6 CIDR: no IPv6 source is its own

    CHECK(t.routes_v4.size() == 10);  // 2 system + 2 entries + 3 reserved addresses of each vSwitch
    CHECK(t.routes_v6.size() == 5);   // vsw-1's /64 + 2 entries + its network and gateway address

    const auto& sys = t.routes_v4.at(lpm_key_v4(1, Cidr::parse("172.16.1.0/24")));
    CHECK(sys.kind == XP_NH_VSWITCH);
    CHECK(sys.target == 11);
    CHECK(sys.smac[5] == 1);
    CHECK(sys.dmac[4] == 1);

    const auto& via = t.routes_v4.at(lpm_key_v4(2, Cidr::parse("172.16.0.0/12")));
    CHECK(via.kind == XP_NH_PEERING);
    CHECK(via.target == 3);
    CHECK(t.routes_v6.at(lpm_key_v6(1, Cidr::parse("2408:4000:0:4000::/56"))).target == 3);

    REQUIRE(t.peerings.size() == 1);
    CHECK(t.peerings.at(3).vpc_a == 1);
    CHECK(t.peerings.at(3).vpc_b == 2);
    CHECK(t.peerings.at(3).active == 1);
}

TEST_CASE("a connection's bandwidth is its policer, within a region as between regions", "[compiler]") {
    Snapshot s = seed_example();
    for (auto [region, peer_region] : {std::pair{"cn-hangzhou", "cn-hangzhou"}, std::pair{"cn-huhehaote", "cn-guangzhou"}}) {
        s.peerings[0].region = region;
        s.peerings[0].peer_region = peer_region;
        s.peerings[0].bandwidth_mbps = 200;
        const xp_peering limited = compile(s, ports()).peerings.at(3);
        CHECK(limited.rate_bytes == 25'000'000);       // 200 Mbit/s in bytes per second
        CHECK(limited.burst_bytes == 25'000'000 / 4);  // 250 ms of it
        s.peerings[0].bandwidth_mbps = -1;
        const xp_peering unlimited = compile(s, ports()).peerings.at(3);
        CHECK(unlimited.rate_bytes == 0);
        CHECK(unlimited.burst_bytes == 0);
    }
}

TEST_CASE("a connection's link type is its DSCP between hosts: Platinum EF, Gold AF11, none within a region", "[compiler]") {
    Snapshot s = seed_example();
    for (auto [type, dscp] : {std::pair{"Platinum", 46}, std::pair{"Gold", 10}, std::pair{"", 0}}) {
        s.peerings[0].link_type = type;
        CHECK(compile(s, ports()).peerings.at(3).dscp == dscp);
    }
    CHECK(dscp_of("platinum") == 0);  // the store holds the seed's spelling only
}

TEST_CASE("only an accepted connection is active in the data plane: Activated, or Updating on its hosts", "[compiler]") {
    for (auto st : {PeeringStatus::Creating, PeeringStatus::PeerAccepting, PeeringStatus::Rejected, PeeringStatus::Expired,
                    PeeringStatus::Deleting}) {
        INFO(to_string(st));
        CHECK(compile(seed_example(st), ports()).peerings.at(3).active == 0);
    }
    for (auto st : {PeeringStatus::Updating, PeeringStatus::Activated})
        CHECK(compile(seed_example(st), ports()).peerings.at(3).active == 1);
}

TEST_CASE("a vSwitch without a link gets no entries", "[compiler]") {
    auto p = ports();
    p.erase("vsw-2");
    Tables t = compile(seed_example(), p);
    CHECK(t.ports.size() == 1);
    CHECK(t.routes_v4.count(lpm_key_v4(2, Cidr::parse("192.168.1.0/24"))) == 0);
}

TEST_CASE("a vSwitch link whose ifindex is beyond the port array is an error naming it", "[compiler]") {
    auto p = ports();
    p.at("vsw-2").ifindex = XP_MAX_PORTS;
    CHECK_THROWS_WITH(compile(seed_example(), p), Catch::Contains("vsw-2") && Catch::Contains("ifindex") && Catch::Contains("65536"));
    p.at("vsw-2").ifindex = XP_MAX_PORTS - 1;
    CHECK(compile(seed_example(), p).ports.count(XP_MAX_PORTS - 1) == 1);
}

TEST_CASE("two vSwitches recording one ifindex are an error naming both", "[compiler]") {
    auto p = ports();
    p.at("vsw-2").ifindex = p.at("vsw-1").ifindex;
    CHECK_THROWS_WITH(compile(seed_example(), p), Catch::Contains("vsw-1") && Catch::Contains("vsw-2") && Catch::Contains("ifindex 11"));
}

TEST_CASE("a route entry never displaces a system route with the same key", "[compiler]") {
    Snapshot s = seed_example();
    s.routes.push_back(RouteEntry{"rte-x", "vpc-1", Cidr::parse("172.16.1.0/24"), "pcc-aaabbb", 0});
    Tables t = compile(s, ports());
    CHECK(t.routes_v4.at(lpm_key_v4(1, Cidr::parse("172.16.1.0/24"))).kind == XP_NH_VSWITCH);
}

TEST_CASE("routes naming an unknown peering are left out", "[compiler]") {
    Snapshot s = seed_example();
    s.routes.push_back(RouteEntry{"rte-x", "vpc-1", Cidr::parse("10.0.0.0/8"), "pcc-gone", 0});
    CHECK(compile(s, ports()).routes_v4.count(lpm_key_v4(1, Cidr::parse("10.0.0.0/8"))) == 0);
}

TEST_CASE("a vSwitch's network, gateway and broadcast addresses compile to reserved host routes", "[compiler]") {
    Tables t = compile(seed_example(), ports());
    for (const char* a : {"172.16.1.0/32", "172.16.1.1/32", "172.16.1.255/32"})
        CHECK(t.routes_v4.at(lpm_key_v4(1, Cidr::parse(a))).kind == XP_NH_RESERVED);
    for (const char* a : {"192.168.1.0/32", "192.168.1.1/32", "192.168.1.255/32"})
        CHECK(t.routes_v4.at(lpm_key_v4(2, Cidr::parse(a))).kind == XP_NH_RESERVED);
    CHECK(t.routes_v6.at(lpm_key_v6(1, Cidr::parse("2408:4000:0:3f01::/128"))).kind == XP_NH_RESERVED);
    CHECK(t.routes_v6.at(lpm_key_v6(1, Cidr::parse("2408:4000:0:3f01::1/128"))).kind == XP_NH_RESERVED);
    CHECK(t.routes_v4.count(lpm_key_v4(1, Cidr::parse("172.16.1.2/32"))) == 0);  // an instance's address is not
}
