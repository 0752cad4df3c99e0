#include <catch2/catch.hpp>

#include "controller/rules.h"
#include "model/error.h"

using namespace xpeer;

namespace {

Vpc vpc1() {
    Vpc v;
    v.key = 1;
    v.id = "vpc-1";
    v.cidr = Cidr::parse("172.16.0.0/12");
    v.ipv6_cidr = Cidr::parse("fd00:1::/56");
    return v;
}

VSwitch vsw(const std::string& id, const std::string& cidr) {
    VSwitch s;
    s.id = id;
    s.vpc_id = "vpc-1";
    s.cidr = Cidr::parse(cidr);
    return s;
}

Peering activated(const std::string& a, const std::string& b) {
    Peering p;
    p.id = "pcc-1";
    p.vpc_id = a;
    p.peer_vpc_id = b;
    p.status = PeeringStatus::Activated;
    return p;
}

std::string code_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

}  // namespace

TEST_CASE("VPC CIDR blocks: IPv4 between /8 and /28, IPv6 between /8 and /64", "[rules]") {
    CHECK(code_of([] { rules::check_vpc_cidr(Cidr::parse("172.16.0.0/12")); }).empty());
    CHECK(code_of([] { rules::check_vpc_cidr(Cidr::parse("10.0.0.0/30")); }) == "InvalidCidrBlock.Size");
    CHECK(code_of([] { rules::check_vpc_cidr(Cidr::parse("fd00::/48")); }) == "InvalidCidrBlock.Family");
    CHECK(code_of([] { rules::check_vpc_ipv6_cidr(Cidr::parse("fd00::/72")); }) == "InvalidIpv6CidrBlock.Size");
}

TEST_CASE("a vSwitch lies inside its VPC and overlaps no sibling", "[rules]") {
    Vpc v = vpc1();
    std::vector<VSwitch> siblings{vsw("vsw-a", "172.16.1.0/24")};
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, {}, Cidr::parse("172.16.2.0/24"), std::nullopt); }).empty());
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, {}, Cidr::parse("192.168.0.0/24"), std::nullopt); }) ==
          "InvalidCidrBlock.NotInVpc");
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, {}, Cidr::parse("172.16.0.0/16"), std::nullopt); }) ==
          "InvalidCidrBlock.Overlapped");
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, {}, Cidr::parse("172.16.1.128/25"), std::nullopt); }) ==
          "InvalidCidrBlock.Overlapped");
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, {}, Cidr::parse("172.16.3.0/24"), Cidr::parse("fd00:2::/64")); }) ==
          "InvalidIpv6CidrBlock.NotInVpc");
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, {}, Cidr::parse("172.16.3.0/24"), Cidr::parse("fd00:1::/64")); }).empty());
    std::vector<RouteEntry> routes{RouteEntry{"rte-1", "vpc-1", Cidr::parse("172.16.9.0/24"), "pcc-1", 0}};
    CHECK(code_of([&] { rules::check_vswitch(v, siblings, routes, Cidr::parse("172.16.8.0/22"), std::nullopt); }) ==
          "InvalidCidrBlock.RouteConflict");
}

TEST_CASE("route entries: next hop of this VPC, Activated, never more specific than a system route", "[rules]") {
    Vpc v = vpc1();
    std::vector<VSwitch> vs{vsw("vsw-a", "172.16.1.0/24")};
    auto ok = activated("vpc-1", "vpc-2");
    CHECK(rules::check_route(v, vs, {}, ok, Cidr::parse("192.168.0.0/16")).empty());
    CHECK(code_of([&] { rules::check_route(v, vs, {}, activated("vpc-3", "vpc-2"), Cidr::parse("192.168.0.0/16")); }) ==
          "InvalidNextHop.NotOfVpc");
    auto pending = ok;
    pending.status = PeeringStatus::PeerAccepting;
    CHECK(code_of([&] { rules::check_route(v, vs, {}, pending, Cidr::parse("192.168.0.0/16")); }) == "IncorrectStatus.VpcPeer");
    CHECK(code_of([&] { rules::check_route(v, vs, {}, ok, Cidr::parse("172.16.1.0/24")); }) ==
          "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute");
    CHECK(code_of([&] { rules::check_route(v, vs, {}, ok, Cidr::parse("172.16.1.64/26")); }) ==
          "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute");
    std::vector<RouteEntry> existing{RouteEntry{"rte-1", "vpc-1", Cidr::parse("192.168.0.0/16"), "pcc-1", 0}};
    CHECK(code_of([&] { rules::check_route(v, vs, existing, ok, Cidr::parse("192.168.0.0/16")); }) ==
          "InvalidDestinationCidrBlock.Duplicate");
}

TEST_CASE("no IPv6 route entry more specific than a vSwitch's IPv6 system route", "[rules]") {
    Vpc v = vpc1();
    VSwitch s = vsw("vsw-a", "172.16.1.0/24");
    s.ipv6_cidr = Cidr::parse("fd00:1::/64");
    auto ok = activated("vpc-1", "vpc-2");
    CHECK(code_of([&] { rules::check_route(v, {s}, {}, ok, Cidr::parse("fd00:1::/64")); }) ==
          "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute");
    CHECK(code_of([&] { rules::check_route(v, {s}, {}, ok, Cidr::parse("fd00:1::80/121")); }) ==
          "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute");
    CHECK(code_of([&] { rules::check_route(v, {s}, {}, ok, Cidr::parse("fd00:1:0:1::/64")); }).empty());  // a sibling /64 of the VPC
    CHECK(code_of([&] { rules::check_route(v, {s}, {}, ok, Cidr::parse("fd00:2::/56")); }).empty());
}

TEST_CASE("a destination covering the VPC's own CIDR is accepted with a warning", "[rules]") {
    Vpc v = vpc1();
    auto w = rules::check_route(v, {vsw("vsw-a", "172.16.1.0/24")}, {}, activated("vpc-1", "vpc-2"), Cidr::parse("172.16.0.0/12"));
    REQUIRE(w.size() == 1);
    CHECK_THAT(w[0], Catch::Contains("system routes of its vSwitches win"));
}

TEST_CASE("instance addresses: inside the vSwitch, not reserved, not taken", "[rules]") {
    VSwitch s = vsw("vsw-a", "172.16.1.0/24");
    std::vector<IpAddr> taken{IpAddr::parse("172.16.1.2")};
    CHECK(rules::gateway_of(s.cidr) == IpAddr::parse("172.16.1.1"));
    CHECK(rules::next_free_address(s.cidr, taken) == IpAddr::parse("172.16.1.3"));
    CHECK(code_of([&] { rules::check_instance_address(s, s.cidr, IpAddr::parse("172.16.1.1"), taken); }) == "InvalidIpAddress.Reserved");
    CHECK(code_of([&] { rules::check_instance_address(s, s.cidr, IpAddr::parse("172.16.1.255"), taken); }) == "InvalidIpAddress.Reserved");
    CHECK(code_of([&] { rules::check_instance_address(s, s.cidr, IpAddr::parse("172.16.1.2"), taken); }) == "InvalidIpAddress.InUse");
    CHECK(code_of([&] { rules::check_instance_address(s, s.cidr, IpAddr::parse("172.16.2.2"), taken); }) ==
          "InvalidIpAddress.NotInVSwitch");
    CHECK(code_of([&] { rules::check_instance_address(s, s.cidr, IpAddr::parse("172.16.1.7"), taken); }).empty());
}
