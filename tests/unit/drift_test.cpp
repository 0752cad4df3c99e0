#include <catch2/catch.hpp>

#include "compiler/lpm_key.h"
#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

TEST_CASE("check names each map entry that differs from the store, and reads only", "[drift]") {
    World w;
    auto a = vpc_with_vswitch(w, 1, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, 1, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(1)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    w.as(1)->add_route(RouteSpec{a, "10.2.0.0/16", p.id});
    CHECK(w.as(1)->check().empty());

    const uint32_t vpc_a = w.as(1)->show_vpc(a).key;
    auto key = lpm_key_v4(vpc_a, Cidr::parse("10.2.0.0/16"));
    const xp_route was = w.kernel->maps.routes_v4.at(key);
    w.kernel->maps.routes_v4.erase(key);
    w.kernel->maps.routes_v4[lpm_key_v4(vpc_a, Cidr::parse("10.9.0.0/16"))] = was;
    w.kernel->maps.peerings.at(p.slot).active = 0;

    auto found = w.as(1)->check();
    const std::string vpc = std::to_string(vpc_a);
    CHECK(found.size() == 3);
    CHECK(std::ranges::count(found, Difference{"xp_routes_v4 vpc " + vpc + " 10.2.0.0/16",
                                               "missing (want peering slot " + std::to_string(p.slot) + ")"}) == 1);
    CHECK(std::ranges::count(found, Difference{"xp_routes_v4 vpc " + vpc + " 10.9.0.0/16",
                                               "not in the store (holds peering slot " + std::to_string(p.slot) + ")"}) == 1);
    CHECK(std::ranges::any_of(found, [&](const Difference& d) {
        return d.object == "xp_peerings slot " + std::to_string(p.slot) && d.problem.find("inactive, want") != std::string::npos;
    }));
    CHECK(w.as(1)->check().size() == 3);  // nothing was repaired by looking

    auto repair = w.as(1)->reconcile();
    CHECK(repair.found.size() == 3);
    CHECK(repair.remaining.empty());
    CHECK(w.as(1)->check().empty());
}

TEST_CASE("a command's mark left in xp_control is repaired by the next command, and only when no command runs", "[drift]") {
    World w;
    auto a = vpc_with_vswitch(w, 1, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, 1, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(1)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    const Tables committed = w.kernel->maps;

    // What a route import killed before its commit leaves: its entries, and the mark.
    w.kernel->maps.routes_v4[lpm_key_v4(w.as(1)->show_vpc(a).key, Cidr::parse("10.9.0.0/16"))] = xp_route{XP_NH_PEERING, p.slot, {}, {}};
    w.kernel->dirty = true;

    SECTION("no repair while another command holds the lock: the mark is its own") {
        FileLock running(w.db() + ".lock");
        CHECK(w.as(1)->recover_interrupted().empty());
        CHECK(w.kernel->dirty);
    }
    SECTION("a command that only reads repairs it first") {
        auto c = w.as(1);
        auto repaired = c->recover_interrupted();
        CHECK(repaired.size() == 2);  // the entry and the mark
        CHECK_FALSE(w.kernel->dirty);
        CHECK(w.as(1)->check().empty());
        CHECK(w.kernel->maps.routes_v4.size() == committed.routes_v4.size());  // the uncommitted entry is gone
        CHECK(c->warnings().size() == 1);
        CHECK(w.as(1)->recover_interrupted().empty());  // once
    }
}
