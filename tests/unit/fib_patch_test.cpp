// Route changes patched into compiled lookups in place, against compiling the changed tables
// afresh: the same leaf (decision and lengths) for every destination, over hand-made tables and
// random ones after random sequences of additions, changes and removals.
#include <catch2/catch.hpp>
#include <cstring>

#include "compiler/fib_leaf.h"
#include "compiler/fib_patch.h"
#include "compiler/lpm_key.h"
#include "compiler/resolve.h"
#include "random_tables.h"
#include "route_values.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

// Every VPC's trie of one family, an empty one for a VPC without routes.
std::map<uint32_t, VpcFib> tries_of(const Tables& t, Family family, uint32_t vpcs) {
    const Fib fib = compile_fib(t);
    auto tries = family == Family::V4 ? fib.v4 : fib.v6;
    for (uint32_t vpc = 1; vpc <= vpcs; ++vpc)
        if (!tries.contains(vpc)) tries.emplace(vpc, empty_vpc_fib());
    return tries;
}

// The VPCs whose patched trie does not decide as the compiled one; "" when none.
std::string differing(const std::map<uint32_t, VpcFib>& patched, const Tables& t, Family family, uint32_t vpcs) {
    const auto want = tries_of(t, family, vpcs);
    std::string out;
    for (const auto& [vpc, trie] : want)
        if (!same_decisions(patched.at(vpc), trie)) out += " vpc " + std::to_string(vpc);
    return out;
}

void set(Tables& t, uint32_t vpc, const Cidr& prefix, const std::optional<xp_route>& now) {
    if (prefix.family() == Family::V4) {
        auto key = lpm_key_v4(vpc, prefix);
        now ? void(t.routes_v4[key] = *now) : void(t.routes_v4.erase(key));
    } else {
        auto key = lpm_key_v6(vpc, prefix);
        now ? void(t.routes_v6[key] = *now) : void(t.routes_v6.erase(key));
    }
}

// Patches the tries with what turned `before` into `t`; false when the patch declined.
bool patch(const Tables& before, const Tables& t, std::map<uint32_t, VpcFib>& tries, Family family) {
    return patch_fib(tries, t.peerings, route_changes(diff(before, t), t, family));
}

// Applies one change to the tables and patches the tries with it.
bool change(Tables& t, std::map<uint32_t, VpcFib>& tries, uint32_t vpc, const Cidr& prefix, std::optional<xp_route> now) {
    const Tables before = t;
    set(t, vpc, prefix, now);
    return patch(before, t, tries, prefix.family());
}

}  // namespace

TEST_CASE("fib patch: a route added, changed and removed, as compiling afresh decides", "[fib]") {
    Tables t;
    t.peerings[1] = xp_peering{.vpc_a = 1, .vpc_b = 2, .active = 1};
    auto add = [&](uint32_t vpc, const char* cidr, const xp_route& r) { t.routes_v4[lpm_key_v4(vpc, Cidr::parse(cidr))] = r; };
    add(1, "10.0.0.0/8", peering(1));
    add(1, "172.16.1.0/24", vswitch(11));
    add(2, "10.1.0.0/16", vswitch(21));
    add(2, "10.1.2.0/24", vswitch(22));
    auto tries = tries_of(t, Family::V4, 2);
    const size_t nodes_before = reachable_nodes(tries.at(1));

    SECTION("a host route of the VPC's own splits one leaf down to its last byte") {
        REQUIRE(change(t, tries, 1, Cidr::parse("172.16.1.7/32"), vswitch(12)));
        CHECK(differing(tries, t, Family::V4, 2) == "");
        CHECK(reachable_nodes(tries.at(1)) == nodes_before + 1);  // 172.16.1. existed: one node for its last byte
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("172.16.1.7")).route.target == 12);
        REQUIRE(change(t, tries, 1, Cidr::parse("172.16.1.7/32"), std::nullopt));
        CHECK(differing(tries, t, Family::V4, 2) == "");
        CHECK(reachable_nodes(tries.at(1)) == nodes_before);  // the node it split is gone again
    }
    SECTION("the peer's new route shows through the crossing, and its removal falls back to the cover") {
        REQUIRE(change(t, tries, 2, Cidr::parse("10.1.2.128/25"), vswitch(23)));
        CHECK(differing(tries, t, Family::V4, 2) == "");
        const auto& leaf = fib_lookup(tries.at(1), IpAddr::parse("10.1.2.200"));
        CHECK(leaf.reason == XP_REASON_FORWARD_PEERING);
        CHECK(leaf.route.target == 23);
        CHECK(leaf.peer_len == 25);
        CHECK(leaf.own_len == 8);
        REQUIRE(change(t, tries, 2, Cidr::parse("10.1.2.128/25"), std::nullopt));
        CHECK(differing(tries, t, Family::V4, 2) == "");
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("10.1.2.200")).route.target == 22);
    }
    SECTION("a new peering route takes the peer's routes under it, and removing it leaves no route") {
        REQUIRE(change(t, tries, 1, Cidr::parse("10.0.0.0/8"), std::nullopt));
        CHECK(differing(tries, t, Family::V4, 2) == "");
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("10.1.2.3")).reason == XP_REASON_DROP_NO_ROUTE);
        REQUIRE(change(t, tries, 1, Cidr::parse("10.1.0.0/17"), peering(1)));
        CHECK(differing(tries, t, Family::V4, 2) == "");
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("10.1.2.3")).route.target == 22);
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("10.1.200.3")).reason == XP_REASON_DROP_NO_ROUTE);
    }
    SECTION("a route changed in place: the addresses it decides take its new next hop") {
        REQUIRE(change(t, tries, 2, Cidr::parse("10.1.0.0/16"), peering(1)));  // the peer's own route now crosses: transit
        CHECK(differing(tries, t, Family::V4, 2) == "");
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("10.1.9.9")).reason == XP_REASON_DROP_TRANSIT);
        CHECK(fib_lookup(tries.at(1), IpAddr::parse("10.1.2.9")).route.target == 22);
    }
    SECTION("a crossing into a peer whose trie is not there is declined") {
        tries.erase(2);
        CHECK_FALSE(change(t, tries, 1, Cidr::parse("10.2.0.0/16"), peering(1)));
    }
}

// One random change: the removal of an existing route (a third of them), else a route added
// or changed anywhere near the others.
struct RandomChange {
    uint32_t vpc;
    Cidr prefix;
    std::optional<xp_route> now;
};
RandomChange random_change(RandomTables& r, Family family) {
    const size_t n = family == Family::V4 ? r.t.routes_v4.size() : r.t.routes_v6.size();
    if (n && r.pick(3) == 0) {
        const unsigned i = r.pick(static_cast<unsigned>(n));
        if (family == Family::V4) {
            const auto& key = std::next(r.t.routes_v4.begin(), i)->first;
            return {key.vpc, cidr_of(key), std::nullopt};
        }
        const auto& key = std::next(r.t.routes_v6.begin(), i)->first;
        return {key.vpc, cidr_of(key), std::nullopt};
    }
    const uint32_t vpc = r.vpc();
    const Cidr prefix = r.network(family);
    return {vpc, prefix, r.route()};
}

TEST_CASE("fib patch: random tables, random sequences of changes, as compiling afresh decides", "[fib]") {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        RandomTables r(seed);
        std::erase_if(r.t.peerings, [](const auto& slot) { return slot.second.vpc_a == slot.second.vpc_b; });
        r.fill(25);
        const Family family = seed % 2 ? Family::V4 : Family::V6;
        auto tries = tries_of(r.t, family, RandomTables::kVpcs);
        for (int step = 0; step < 40; ++step) {
            const Tables before = r.t;
            const unsigned batch = step % 4 == 3 ? 1 + r.pick(6) : 1;  // several changes in one delta, nested or not
            std::string what;
            for (unsigned i = 0; i < batch; ++i) {
                const RandomChange c = random_change(r, family);
                set(r.t, c.vpc, c.prefix, c.now);
                what += " VPC " + std::to_string(c.vpc) + " " + c.prefix.str() + (c.now ? " set" : " removed");
            }
            INFO("seed " << seed << " step " << step << ":" << what);
            REQUIRE(patch(before, r.t, tries, family));
            REQUIRE(differing(tries, r.t, family, RandomTables::kVpcs) == "");
            for (int i = 0; i < 50; ++i) {
                const uint32_t vpc = r.vpc();
                const IpAddr dst = r.destination(family);
                const xp_fib_result want = resolve_in_tables(r.t, vpc, dst);
                const xp_fib_result got = with_peering_state(r.t, decision_of(fib_lookup(tries.at(vpc), dst)));
                INFO("VPC " << vpc << " to " << dst.str());
                REQUIRE(std::memcmp(&want, &got, sizeof(want)) == 0);
            }
        }
    }
}

TEST_CASE("fib patch: a VPC peered with itself is declined, to be compiled afresh", "[fib]") {
    Tables t;
    t.peerings[1] = xp_peering{.vpc_a = 1, .vpc_b = 1, .active = 1};
    t.routes_v4[lpm_key_v4(1, Cidr::parse("10.0.0.0/8"))] = vswitch(1);
    auto tries = tries_of(t, Family::V4, 1);
    CHECK_FALSE(change(t, tries, 1, Cidr::parse("10.1.0.0/16"), peering(1)));
}
