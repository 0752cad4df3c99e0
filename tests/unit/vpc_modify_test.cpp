// vpc modify (ModifyVpcAttribute): a new name, an IPv6 block added to a VPC without one; the
// owner's only, each refusal naming its rule and changing nothing.
#include <catch2/catch.hpp>

#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

constexpr AccountId kAlice = 1001;  // the owner
constexpr AccountId kBob = 1002;    // another account
constexpr AccountId kCarol = 1003;  // a principal of Alice's shared VPC

VpcChange rename(const std::string& name) { return VpcChange{name, std::nullopt}; }
VpcChange add_ipv6(const std::string& block) { return VpcChange{std::nullopt, block}; }

std::string create_vpc(World& w, AccountId owner, const std::string& cidr, const std::optional<std::string>& ipv6 = std::nullopt,
                       const std::string& name = "") {
    return w.as(owner)->create_vpc(VpcSpec{cidr, ipv6, "cn-hangzhou", name}).id;
}

}  // namespace

TEST_CASE("vpc modify: a new name and an IPv6 block, shown and recorded, nothing in the kernel", "[controller]") {
    World w;
    auto vpc = create_vpc(w, kAlice, "172.16.0.0/12", std::nullopt, "shop");
    const auto kernel_before = w.kernel->dump();

    auto m = w.as(kAlice)->modify_vpc(vpc, VpcChange{std::string("store"), std::string("fd00:0:0:3f00::/56")});
    CHECK(m.name == "store");
    REQUIRE(m.ipv6_cidr);
    CHECK(m.ipv6_cidr->str() == "fd00:0:0:3f00::/56");
    auto shown = w.as(kAlice)->show_vpc(vpc);
    CHECK(shown.name == "store");
    CHECK(shown.ipv6_cidr == m.ipv6_cidr);
    CHECK(shown.cidr.str() == "172.16.0.0/12");  // the rest as it was
    auto listed = w.as(kAlice)->list_vpcs();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].name == "store");

    auto events = w.as(kAlice)->events(vpc);
    REQUIRE(events.size() == 2);
    CHECK(events[1].status == "Modified");
    CHECK(events[1].account == kAlice);
    CHECK_THAT(events[1].reason, Catch::Contains("fd00:0:0:3f00::/56 added") && Catch::Contains("'shop' -> 'store'"));
    // the block is a bound on the VPC's vSwitches: no namespace step, no map entry
    CHECK(w.kernel->dump() == kernel_before);

    SECTION("a rename alone keeps the IPv6 block; an empty name removes the name") {
        CHECK(w.as(kAlice)->modify_vpc(vpc, rename("front")).ipv6_cidr == m.ipv6_cidr);
        CHECK(w.as(kAlice)->modify_vpc(vpc, rename("")).name.empty());
    }
}

TEST_CASE("vpc modify: IPv6 added afterwards compiles to the maps of VPCs created with it", "[controller]") {
    // The seed's example twice: VPCs created with IPv6, and VPCs created without and given it.
    auto build = [](World& w, bool added_later) {
        auto a = create_vpc(w, kAlice, "172.16.0.0/12", added_later ? std::nullopt : std::optional<std::string>("fd00:0:0:3f00::/56"));
        auto b = create_vpc(w, kAlice, "192.168.0.0/16", added_later ? std::nullopt : std::optional<std::string>("fd00:0:0:4000::/56"));
        auto c = w.as(kAlice);
        auto pcc = c->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
        if (added_later) {
            CHECK(error_code([&] {
                      c->create_vswitch(VSwitchSpec{a, "172.16.1.0/24", std::string("fd00:0:0:3f01::/64"), ""});
                  }) == "InvalidIpv6CidrBlock.VpcHasNoIpv6");
            c->modify_vpc(a, add_ipv6("fd00:0:0:3f00::/56"));
            c->modify_vpc(b, add_ipv6("fd00:0:0:4000::/56"));
        }
        auto vsw_a = c->create_vswitch(VSwitchSpec{a, "172.16.1.0/24", std::string("fd00:0:0:3f01::/64"), ""});
        auto vsw_b = c->create_vswitch(VSwitchSpec{b, "192.168.1.0/24", std::string("fd00:0:0:4001::/64"), ""});
        auto inst = c->create_instance(InstanceSpec{vsw_a.id, {}, {}});
        CHECK(inst.ipv6 == IpAddr::parse("fd00:0:0:3f01::2"));
        c->create_instance(InstanceSpec{vsw_b.id, {}, {}});
        c->add_route(RouteSpec{a, "fd00:0:0:4000::/56", pcc.id});
        c->add_route(RouteSpec{b, "fd00:0:0:3f00::/56", pcc.id});
        c->add_route(RouteSpec{a, "192.168.0.0/16", pcc.id});
        c->add_route(RouteSpec{b, "172.16.0.0/12", pcc.id});
    };
    World created, modified;
    build(created, false);
    build(modified, true);
    CHECK(modified.kernel->maps.routes_v6.size() > 2);
    CHECK(modified.kernel->dump() == created.kernel->dump());
    // Every key and value, ports' sources too; the peerings' owners are their ids', which differ.
    Tables were = created.kernel->maps, now = modified.kernel->maps;
    for (auto* t : {&were, &now})
        for (auto& [slot, p] : t->peerings) p.owner = 0;
    auto differences = diff(were, now).counts();
    CHECK(differences.added == 0);
    CHECK(differences.changed == 0);
    CHECK(differences.removed == 0);
}

TEST_CASE("vpc modify: every refusal names its rule and changes nothing", "[controller]") {
    World w;
    auto v4 = create_vpc(w, kAlice, "10.1.0.0/16", std::nullopt, "shop");
    auto v6 = create_vpc(w, kAlice, "10.2.0.0/16", std::string("fd00:0:0:2::/64"));
    w.as(kAlice)->share_vpc(v4, kCarol);
    struct Case {
        AccountId who;
        std::string vpc;
        VpcChange change;
        const char* code;
    };
    const std::vector<Case> cases{
        {kAlice, v4, VpcChange{}, "MissingParameter"},
        {kAlice, v4, rename("9lives"), "InvalidVpcName.Malformed"},
        {kAlice, v4, rename("a"), "InvalidVpcName.Malformed"},
        {kAlice, v4, add_ipv6("fd00:0:0:1::/6x"), "InvalidCidrBlock.Malformed"},
        {kAlice, v4, add_ipv6("fd00:0:0:1::1/64"), "InvalidCidrBlock.Malformed"},  // host bits
        {kAlice, v4, add_ipv6("10.9.0.0/16"), "InvalidCidrBlock.Family"},
        {kAlice, v4, add_ipv6("fd00:0:0:1::/65"), "InvalidIpv6CidrBlock.Size"},
        {kAlice, v4, add_ipv6("fc00::/7"), "InvalidIpv6CidrBlock.Size"},
        {kAlice, v6, add_ipv6("fd00:0:0:9::/64"), "InvalidIpv6CidrBlock.VpcHasIpv6"},
        {kAlice, v6, add_ipv6("fd00:0:0:2::/64"), "InvalidIpv6CidrBlock.VpcHasIpv6"},  // even the same block
        // a valid name with a refused block: neither changes
        {kAlice, v6, VpcChange{std::string("renamed"), std::string("fd00:0:0:9::/64")}, "InvalidIpv6CidrBlock.VpcHasIpv6"},
        {kAlice, "vpc-doesnotexist", rename("renamed"), "InvalidVpcId.NotFound"},
        {kBob, v4, rename("renamed"), "InvalidVpcId.NotFound"},
        {kBob, v4, add_ipv6("fd00:0:0:1::/64"), "InvalidVpcId.NotFound"},
        {kCarol, v4, rename("renamed"), "Forbidden.SharedVpc"},
        {kCarol, v4, add_ipv6("fd00:0:0:1::/64"), "Forbidden.SharedVpc"},
    };
    for (const auto& c : cases) {
        INFO(c.vpc << " by " << c.who << " expecting " << c.code);
        const std::string before = w.dump();
        CHECK(error_code([&] { w.as(c.who)->modify_vpc(c.vpc, c.change); }) == c.code);
        CHECK(w.dump() == before);
    }
}

TEST_CASE("vpc modify: another account's VPC is answered as a missing one", "[controller]") {
    World w;
    auto alices = create_vpc(w, kAlice, "10.1.0.0/16", std::nullopt, "shop");
    auto message = [&](const std::string& id) {
        try {
            w.as(kBob)->modify_vpc(id, add_ipv6("fd00:0:0:1::/64"));
        } catch (const Error& e) {
            std::string text = e.what();
            text.replace(text.find(id), id.size(), "ID");
            return text;
        }
        FAIL("modified");
        return std::string();
    };
    CHECK(message(alices) == message("vpc-doesnotexist"));
}

TEST_CASE("vpc modify: an IPv6 block overlapping a connected VPC's is warned of, as at peering create", "[controller]") {
    World w;
    auto a = create_vpc(w, kAlice, "10.1.0.0/16");
    auto mine = create_vpc(w, kAlice, "10.2.0.0/16", std::string("fd00:0:0:2::/64"));
    auto bobs = create_vpc(w, kBob, "10.3.0.0/16", std::string("fd00:0:0:3::/64"));
    auto gone = create_vpc(w, kAlice, "10.4.0.0/16", std::string("fd00:0:0:4::/64"));
    auto c = w.as(kAlice);
    c->create_peering(PeeringSpec{a, mine, {}, {}, {}, {}, "", ""});
    c->create_peering(PeeringSpec{a, bobs, kBob, {}, {}, {}, "", ""});  // Peer Accepting
    auto deleted = c->create_peering(PeeringSpec{a, gone, {}, {}, {}, {}, "", ""});
    c->delete_peering(deleted.id, false);

    // fd00::/48 covers all three; the Deleted connection's VPC is not warned of
    auto m = c->modify_vpc(a, add_ipv6("fd00::/48"));
    CHECK(m.ipv6_cidr);
    const auto& warnings = c->warnings();
    REQUIRE(warnings.size() == 2);
    CHECK_THAT(warnings[0] + warnings[1], Catch::Contains(mine + "'s fd00:0:0:2::/64"));
    // another account's block is not shown, as at peering create
    CHECK_THAT(warnings[0] + warnings[1], Catch::Contains(bobs + "'s IPv6 block") && !Catch::Contains("fd00:0:0:3::/64"));
    CHECK_THAT(warnings[0] + warnings[1], !Catch::Contains(gone));

    SECTION("a block apart from every peer's: no warning") {
        auto other = create_vpc(w, kAlice, "10.5.0.0/16");
        c->create_peering(PeeringSpec{other, mine, {}, {}, {}, {}, "", ""});
        auto d = w.as(kAlice);
        d->modify_vpc(other, add_ipv6("fd00:0:0:5::/64"));
        CHECK(d->warnings().empty());
    }
}

TEST_CASE("vpc modify: a dry run describes the change and makes none", "[controller]") {
    World w;
    auto vpc = create_vpc(w, kAlice, "10.1.0.0/16", std::nullopt, "shop");
    const std::string before = w.dump();
    auto c = w.as(kAlice);
    c->set_dry_run();
    c->modify_vpc(vpc, VpcChange{std::string("store"), std::string("fd00:0:0:1::/64")});
    REQUIRE(c->changes().size() == 1);
    CHECK(c->changes()[0].resource == vpc);
    CHECK(c->changes()[0].status == "Modified");
    CHECK(c->dry_run_steps().empty());
    CHECK(w.dump() == before);
    CHECK(w.as(kAlice)->show_vpc(vpc).name == "shop");
}
