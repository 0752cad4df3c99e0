// The seed's defaults and statuses through the controller, each checked where a change to it
// would show: in the store, the compiled policer, or the events.
#include <catch2/catch.hpp>

#include "controller/quotas.h"
#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

constexpr AccountId kAlice = 3001;
constexpr AccountId kBob = 3002;
constexpr uint64_t kBytesPerMbit = 1'000'000 / 8;

Peering connect(World& w, const std::string& a, const std::string& b, std::optional<int64_t> mbps = {}) {
    return w.as(kAlice)->create_peering(PeeringSpec{a, b, {}, {}, mbps, {}, "", ""});
}

uint64_t policed_rate(const World& w, const Peering& p) { return w.kernel->maps.peerings.at(p.slot).rate_bytes; }

}  // namespace

TEST_CASE("an inter-region connection defaults to Gold at 1024 Mbps, even under a larger quota", "[controller][seed]") {
    World w;
    auto hz = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24", "cn-hangzhou");
    auto sh = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24", "cn-shanghai");
    auto bj = vpc_with_vswitch(w, kAlice, "10.3.0.0/16", "10.3.1.0/24", "cn-beijing");
    Peering p = connect(w, hz, sh);
    CHECK(p.link_type == "Gold");
    CHECK(p.bandwidth_mbps == 1024);
    CHECK(policed_rate(w, p) == 1024 * kBytesPerMbit);
    w.as_operator()->set_quota(kAlice, quotas::kInterRegionBandwidth, 5000);
    Peering q = connect(w, hz, bj);
    CHECK(q.bandwidth_mbps == 1024);
    CHECK(w.as(kAlice)->show_peering(q.id).link_type == "Gold");
}

TEST_CASE("both bandwidth quotas default to 1024 Mbps", "[controller][seed]") {
    World w;
    for (const auto& q : w.as(kAlice)->list_quotas())
        if (q.name == quotas::kInterRegionBandwidth || q.name == quotas::kCrossBorderBandwidth) CHECK(q.value == 1024);
    auto hz = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24", "cn-hangzhou");
    auto sh = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24", "cn-shanghai");
    auto hk = vpc_with_vswitch(w, kAlice, "10.3.0.0/16", "10.3.1.0/24", "cn-hongkong");
    const std::string before = w.dump();
    CHECK(error_code([&] { connect(w, hz, sh, 1025); }) == "QuotaExceeded.CrossRegionBandwidth");
    CHECK(error_code([&] { connect(w, hz, hk, 1025); }) == "QuotaExceeded.CrossBorderBandwidth");
    CHECK(w.dump() == before);
    CHECK(connect(w, hz, sh, 1024).bandwidth_mbps == 1024);
    CHECK(connect(w, hz, hk, 1024).bandwidth_mbps == 1024);
}

TEST_CASE("an intra-region connection is unlimited by default and may be limited, policed like any other", "[controller][seed]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24");
    auto c = vpc_with_vswitch(w, kAlice, "10.3.0.0/16", "10.3.1.0/24");
    Peering unlimited = connect(w, a, b);
    CHECK(unlimited.bandwidth_mbps == -1);
    CHECK(unlimited.link_type.empty());
    CHECK(policed_rate(w, unlimited) == 0);

    Peering limited = connect(w, a, c, 200);  // above no quota: the seed's quotas are for inter-region connections
    CHECK(limited.bandwidth_mbps == 200);
    CHECK(policed_rate(w, limited) == 200 * kBytesPerMbit);
    CHECK(w.as(kAlice)->modify_peering(limited.id, PeeringChange{{}, {}, 2000, {}}).bandwidth_mbps == 2000);
    CHECK(policed_rate(w, limited) == 2000 * kBytesPerMbit);
    w.as(kAlice)->modify_peering(limited.id, PeeringChange{{}, {}, -1, {}});
    CHECK(policed_rate(w, limited) == 0);
    CHECK(w.as(kAlice)->show_peering(limited.id).bandwidth_mbps == -1);

    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kAlice)->modify_peering(limited.id, PeeringChange{{}, {}, 0, {}}); }) == "InvalidBandwidth.Value");
    CHECK(error_code([&] { w.as(kAlice)->modify_peering(limited.id, PeeringChange{{}, {}, 100'001, {}}); }) == "InvalidBandwidth.TooLarge");
    CHECK(w.dump() == before);
}

TEST_CASE("delete passes through Deleting before Deleted", "[controller][seed]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kBob, "10.2.0.0/16", "10.2.1.0/24");
    Peering p = w.as(kAlice)->create_peering(PeeringSpec{a, b, kBob, {}, {}, {}, "", ""});
    w.as(kBob)->accept_peering(p.id);
    w.as(kBob)->delete_peering(p.id, false);
    std::vector<std::string> statuses;
    for (const auto& e : w.as(kAlice)->events(p.id)) statuses.push_back(e.status);
    CHECK(statuses == std::vector<std::string>{"Creating", "Peer Accepting", "Updating", "Activated", "Deleting", "Deleted"});
    CHECK(w.as(kAlice)->show_peering(p.id).status == PeeringStatus::Deleted);
}

TEST_CASE("peering create warns when the two VPCs' CIDR blocks overlap, and still creates", "[controller][seed]") {
    World w;
    auto create_vpc = [&](AccountId owner, const std::string& cidr, const std::string& ipv6) {
        VpcSpec spec;
        spec.cidr = cidr;
        if (!ipv6.empty()) spec.ipv6_cidr = ipv6;
        return w.as(owner)->create_vpc(spec).id;
    };
    auto a = create_vpc(kAlice, "10.0.0.0/8", "fd00:1::/48");
    auto v4 = create_vpc(kAlice, "10.2.0.0/16", "fd00:2::/48");
    auto v6 = create_vpc(kAlice, "192.168.0.0/16", "fd00:1:0:100::/56");
    auto apart = create_vpc(kAlice, "172.16.0.0/12", "fd00:3::/48");
    auto theirs = create_vpc(kBob, "10.9.0.0/16", "");

    auto c = w.as(kAlice);
    c->create_peering(PeeringSpec{a, v4, {}, {}, {}, {}, "", ""});
    REQUIRE(c->warnings().size() == 1);
    CHECK_THAT(c->warnings()[0], Catch::Contains("10.0.0.0/8 overlaps peer VPC " + v4 + "'s 10.2.0.0/16"));
    CHECK_THAT(c->warnings()[0], Catch::Contains("plan CIDR blocks that do not overlap"));

    c = w.as(kAlice);
    CHECK(c->create_peering(PeeringSpec{a, v6, {}, {}, {}, {}, "", ""}).status == PeeringStatus::Activated);
    REQUIRE(c->warnings().size() == 1);
    CHECK_THAT(c->warnings()[0], Catch::Contains("fd00:1::/48 overlaps peer VPC " + v6 + "'s fd00:1:0:100::/56"));

    c = w.as(kAlice);
    c->create_peering(PeeringSpec{a, apart, {}, {}, {}, {}, "", ""});
    CHECK(c->warnings().empty());

    c = w.as(kAlice);  // another account's blocks are not shown
    c->create_peering(PeeringSpec{a, theirs, kBob, {}, {}, {}, "", ""});
    REQUIRE(c->warnings().size() == 1);
    CHECK_THAT(c->warnings()[0], Catch::Contains("overlaps peer VPC " + theirs + "'s IPv4 block"));
    CHECK_THAT(c->warnings()[0], !Catch::Contains("10.9.0.0/16"));
}
