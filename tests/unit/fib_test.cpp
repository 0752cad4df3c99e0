// The compiled lookup against the tries it is compiled from: the same decision for every
// destination, over hand-made tables and random ones, after random changes.
#include <catch2/catch.hpp>
#include <cstring>

#include "compiler/fib.h"
#include "compiler/fib_leaf.h"
#include "compiler/lpm_key.h"
#include "compiler/resolve.h"
#include "random_tables.h"
#include "route_values.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

void add(Tables& t, uint32_t vpc, const char* cidr, const xp_route& r) {
    const Cidr c = Cidr::parse(cidr);
    if (c.family() == Family::V4)
        t.routes_v4[lpm_key_v4(vpc, c)] = r;
    else
        t.routes_v6[lpm_key_v6(vpc, c)] = r;
}

xp_fib_result compiled(const Tables& t, const Fib& fib, uint32_t vpc, const IpAddr& dst) {
    const auto& per_vpc = dst.family == Family::V4 ? fib.v4 : fib.v6;
    auto it = per_vpc.find(vpc);
    if (it == per_vpc.end()) {
        xp_fib_result none{};
        none.reason = XP_REASON_DROP_NO_ROUTE;
        none.link = XP_NO_LINK;
        return none;
    }
    return with_peering_state(t, decision_of(fib_lookup(it->second, dst)));
}

std::string describe(const xp_fib_result& r) {
    return "reason " + std::to_string(r.reason) + " link " + std::to_string(r.link) + " kind " + std::to_string(r.route.kind) + " target " +
           std::to_string(r.route.target);
}

// Every destination's compiled decision against the tries'; the first that differs, or "".
std::string first_difference(RandomTables& r, const Fib& fib, unsigned destinations) {
    for (unsigned i = 0; i < destinations; ++i) {
        const uint32_t vpc = r.vpc();
        const IpAddr dst = r.destination(r.pick(2) ? Family::V4 : Family::V6);
        const xp_fib_result want = resolve_in_tables(r.t, vpc, dst), got = compiled(r.t, fib, vpc, dst);
        if (std::memcmp(&want, &got, sizeof(want)) != 0)
            return "vpc " + std::to_string(vpc) + " " + dst.str() + ": tries " + describe(want) + ", compiled " + describe(got);
    }
    return "";
}

}  // namespace

TEST_CASE("fib: a peering route's region takes the peer's longer routes, except under the VPC's own", "[fib]") {
    Tables t;
    t.peerings[1] = xp_peering{.vpc_a = 1, .vpc_b = 2, .active = 1};  // A=1 -> B=2
    t.peerings[2] = xp_peering{.vpc_a = 3, .vpc_b = 1, .active = 1};  // C=3 -> A
    add(t, 1, "10.0.0.0/8", peering(1));
    add(t, 1, "10.1.2.0/24", peering(2));     // inside B's vSwitch, A sends to C instead
    add(t, 1, "172.16.1.0/24", vswitch(11));  // A's own vSwitch
    add(t, 2, "10.1.0.0/16", vswitch(21));
    add(t, 2, "10.1.2.128/25", vswitch(22));  // under A's route to C: never B's
    add(t, 2, "10.1.0.0/32", reserved());
    add(t, 2, "10.9.0.0/16", peering(7));  // B's own route elsewhere: transit
    add(t, 3, "10.1.2.0/24", vswitch(31));
    const Fib fib = compile_fib(t);

    auto at = [&](const char* dst) { return compiled(t, fib, 1, IpAddr::parse(dst)); };
    CHECK(at("10.1.5.5").reason == XP_REASON_FORWARD_PEERING);
    CHECK(at("10.1.5.5").route.target == 21);
    CHECK(at("10.1.5.5").link == 1 * XP_DIR_MAX + XP_DIR_A_TO_B);
    CHECK(at("10.1.0.0").reason == XP_REASON_DROP_RESERVED);
    CHECK(at("10.1.2.200").route.target == 31);  // not B's /25
    CHECK(at("10.1.2.200").link == 2 * XP_DIR_MAX + XP_DIR_B_TO_A);
    CHECK(at("10.9.1.1").reason == XP_REASON_DROP_TRANSIT);
    CHECK(at("10.200.0.1").reason == XP_REASON_DROP_NO_ROUTE);
    CHECK(at("10.200.0.1").link == 1 * XP_DIR_MAX + XP_DIR_A_TO_B);  // counted on the link it tried
    CHECK(at("172.16.1.9").reason == XP_REASON_FORWARD_LOCAL);
    CHECK(at("8.8.8.8").reason == XP_REASON_DROP_NO_ROUTE);
    CHECK(at("8.8.8.8").link == XP_NO_LINK);

    SECTION("an inactive connection drops at the router, with the trie unchanged") {
        t.peerings[1].active = 0;
        CHECK(compiled(t, fib, 1, IpAddr::parse("10.1.5.5")).reason == XP_REASON_DROP_INACTIVE);
        CHECK(compile_fib(t).v4.at(1).nodes.size() == fib.v4.at(1).nodes.size());
    }
    SECTION("every destination as the tries decide") {
        for (const char* dst : {"10.1.5.5", "10.1.0.0", "10.1.2.127", "10.1.2.128", "10.1.2.255", "10.9.0.0", "10.0.0.0", "10.255.255.255",
                                "172.16.1.0", "172.16.2.1", "0.0.0.0", "255.255.255.255"}) {
            const xp_fib_result want = resolve_in_tables(t, 1, IpAddr::parse(dst)), got = at(dst);
            INFO(dst << ": tries " << describe(want) << ", compiled " << describe(got));
            CHECK(std::memcmp(&want, &got, sizeof(want)) == 0);
        }
    }
}

TEST_CASE("fib: the walk is as deep as the longest prefix under a destination", "[fib]") {
    Tables t;
    add(t, 1, "172.16.0.0/12", vswitch(1));
    add(t, 1, "172.16.1.0/24", vswitch(2));
    add(t, 1, "172.16.1.1/32", reserved());
    add(t, 1, "fd00::/56", vswitch(3));
    add(t, 1, "fd00:0:0:1::/64", vswitch(4));
    const Fib fib = compile_fib(t);
    CHECK(fib.v4.at(1).nodes.size() == 4);    // the root, 172., 172.16., 172.16.1.
    CHECK(fib.v6.at(1).nodes.size() == 8);    // down to the /64: 8 bytes
    CHECK(fib.v4.at(1).results.size() == 4);  // no route, two vSwitches, reserved
    CHECK(fib_lookup(fib.v4.at(1), IpAddr::parse("172.17.0.1")).route.target == 1);
    CHECK(fib_lookup(fib.v4.at(1), IpAddr::parse("172.16.1.1")).reason == XP_REASON_DROP_RESERVED);
    CHECK(fib_lookup(fib.v6.at(1), IpAddr::parse("fd00:0:0:1::5")).route.target == 4);
}

TEST_CASE("fib: a default route fills the whole root", "[fib]") {
    Tables t;
    add(t, 1, "0.0.0.0/0", vswitch(1));
    add(t, 1, "10.0.0.0/8", reserved());
    const Fib fib = compile_fib(t);
    CHECK(fib.v4.at(1).nodes.size() == 1);
    CHECK(fib_lookup(fib.v4.at(1), IpAddr::parse("9.9.9.9")).route.target == 1);
    CHECK(fib_lookup(fib.v4.at(1), IpAddr::parse("10.9.9.9")).reason == XP_REASON_DROP_RESERVED);
}

TEST_CASE("fib: random tables, random destinations, random changes: the tries' decisions", "[fib]") {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        RandomTables r(seed);
        r.fill(30);
        Fib fib = compile_fib(r.t);
        INFO("seed " << seed);
        REQUIRE(first_difference(r, fib, 3000) == "");
        for (int change = 0; change < 10; ++change) {
            const Family family = r.pick(2) ? Family::V4 : Family::V6;
            if (r.pick(3) == 0)
                r.remove_route(family);
            else if (r.pick(4) == 0)
                r.t.peerings[r.pick(RandomTables::kSlots)].active ^= 1;
            else
                r.add_route(r.vpc(), r.network(family), r.route());
            fib = compile_fib(r.t);
            INFO("after change " << change);
            REQUIRE(first_difference(r, fib, 1000) == "");
        }
    }
}
