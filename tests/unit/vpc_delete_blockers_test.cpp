// A refused VPC delete names everything still in the VPC at once.
#include <catch2/catch.hpp>

#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

TEST_CASE("vpc delete: a refusal lists every vSwitch, connection and route entry in the VPC", "[controller]") {
    World w;
    auto c = w.as(1001);
    auto vpc = c->create_vpc(VpcSpec{"172.16.0.0/12", std::nullopt, "cn-hangzhou", ""});
    auto peer = c->create_vpc(VpcSpec{"192.168.0.0/16", std::nullopt, "cn-hangzhou", ""});
    auto vsw1 = c->create_vswitch(VSwitchSpec{vpc.id, "172.16.1.0/24", std::nullopt, ""});
    auto vsw2 = c->create_vswitch(VSwitchSpec{vpc.id, "172.16.2.0/24", std::nullopt, ""});
    PeeringSpec ps;
    ps.vpc_id = vpc.id;
    ps.peer_vpc_id = peer.id;
    auto pcc = c->create_peering(ps);
    std::vector<std::string> routes;
    for (int i = 0; i < 7; ++i) routes.push_back(c->add_route(RouteSpec{vpc.id, "192.168." + std::to_string(i) + ".0/24", pcc.id}).id);
    const auto before = w.dump();
    try {
        w.as(1001)->delete_vpc(vpc.id);
        FAIL("the delete was not refused");
    } catch (const Error& e) {
        const std::string m = e.what();
        CHECK(e.code() == errors::code::DependencyViolationVSwitch);
        CHECK_THAT(m, Catch::Contains(vsw1.id) && Catch::Contains(vsw2.id) && Catch::Contains(pcc.id + " (Activated; delete it)"));
        CHECK_THAT(m, Catch::Contains(routes[0]) && Catch::Contains("and 2 more"));
    }
    CHECK(w.dump() == before);

    c = w.as(1001);
    c->delete_vswitch(vsw1.id);
    c->delete_vswitch(vsw2.id);
    CHECK(error_code([&] { w.as(1001)->delete_vpc(vpc.id); }) == errors::code::DependencyViolationVpcPeer);  // the first kind left
}
