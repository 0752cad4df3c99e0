// Commands write only the map entries their changes touch; the maps still end up holding what
// the whole committed store compiles to, after every command, a refused one, a kernel failure,
// and a command killed between writing the maps and committing.
#include <catch2/catch.hpp>

#include "compiler/compiler.h"
#include "compiler/delta.h"
#include "store/sqlite_store.h"
#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

constexpr AccountId kAlice = 1001;
constexpr AccountId kBob = 1002;

// What the whole committed store compiles to.
Tables whole(World& w) {
    SqliteStore s(w.db());
    return compile(s.snapshot(), s.vswitch_ports());
}

// The maps hold exactly what the store says, and no command is left half-way.
void check_maps(World& w, const std::string& after) {
    INFO("after " << after);
    CHECK(diff(w.kernel->maps, whole(w)).empty());
    CHECK_FALSE(w.kernel->dirty);
    CHECK(w.kernel->covers_missed == 0);  // every route a changed one falls back to was in `over`
}

xp_lpm_key_v4 junk_key() {
    xp_lpm_key_v4 k{};
    k.prefixlen = 64;
    k.vpc = 999;
    return k;
}

}  // namespace

TEST_CASE("incremental apply: after every command the maps equal the whole store's compile", "[controller][incremental]") {
    World w;
    auto alice = [&] { return w.as(kAlice); };
    auto bob = [&] { return w.as(kBob); };

    Vpc a = alice()->create_vpc(VpcSpec{"10.1.0.0/16", "fd00:1::/56", "cn-hangzhou", ""});
    Vpc b = bob()->create_vpc(VpcSpec{"10.2.0.0/16", "fd00:2::/56", "cn-hangzhou", ""});
    Vpc far = alice()->create_vpc(VpcSpec{"10.3.0.0/16", std::nullopt, "cn-guangzhou", ""});
    check_maps(w, "vpc create");
    VSwitch a1 = alice()->create_vswitch(VSwitchSpec{a.id, "10.1.1.0/24", "fd00:1:0:1::/64", ""});
    bob()->create_vswitch(VSwitchSpec{b.id, "10.2.1.0/24", "fd00:2:0:1::/64", ""});
    alice()->create_vswitch(VSwitchSpec{far.id, "10.3.1.0/24", std::nullopt, ""});
    check_maps(w, "vswitch create");

    Peering ab = alice()->create_peering(PeeringSpec{a.id, b.id, kBob, {}, {}, {}, "", ""});
    check_maps(w, "peering request");
    bob()->accept_peering(ab.id);
    check_maps(w, "accept");
    Peering af = alice()->create_peering(PeeringSpec{a.id, far.id, {}, "cn-guangzhou", 100, {}, "", ""});
    check_maps(w, "peering create, inter-region");
    alice()->modify_peering(af.id, PeeringChange{{}, {}, 200, {}});
    check_maps(w, "peering modify");

    alice()->add_route(RouteSpec{a.id, "10.2.0.0/16", ab.id});
    alice()->add_route(RouteSpec{a.id, "fd00:2::/56", ab.id});
    bob()->add_route(RouteSpec{b.id, "10.1.0.0/16", ab.id});
    auto to_far = alice()->add_route(RouteSpec{a.id, "10.3.0.0/16", af.id});
    check_maps(w, "route add");
    std::vector<std::string> many;
    for (int i = 0; i < 300; ++i) many.push_back("172." + std::to_string(16 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
    alice()->import_routes(a.id, ab.id, many);
    check_maps(w, "route import");
    alice()->delete_route(to_far.id);
    check_maps(w, "route delete");
    const size_t over_before = w.kernel->deltas_over;
    auto inner = alice()->add_route(RouteSpec{a.id, "10.2.7.0/24", af.id});  // under the /16 through ab
    auto host = alice()->add_route(RouteSpec{a.id, "10.2.7.9/32", ab.id});
    alice()->delete_route(inner.id);  // the /32 and the /24's addresses fall back to the /16
    alice()->delete_route(host.id);
    check_maps(w, "nested routes added and deleted");
    CHECK(w.kernel->deltas_over == over_before + 4);  // each patched in place, with its covers

    alice()->create_vswitch(VSwitchSpec{a.id, "10.1.2.0/24", std::nullopt, ""});
    alice()->delete_vswitch(a1.id);
    check_maps(w, "vswitch delete in a VPC with routes");

    Peering pending = bob()->create_peering(PeeringSpec{b.id, far.id, kAlice, "cn-guangzhou", 10, {}, "", ""});
    alice()->reject_peering(pending.id);
    check_maps(w, "reject");
    Peering later = bob()->create_peering(PeeringSpec{b.id, far.id, kAlice, "cn-guangzhou", 10, {}, "", ""});
    w.clock += 8 * 24 * 3600;
    CHECK(bob()->show_peering(later.id).status == PeeringStatus::Expired);
    check_maps(w, "expiry");

    bob()->delete_peering(ab.id, true);  // routes at both ends go with it
    check_maps(w, "peering delete --force");
    CHECK(w.kernel->maps.routes_v4.size() == 3 * kV4EntriesPerVSwitch);  // the system routes of the three vSwitches left
    alice()->delete_peering(af.id, false);
    check_maps(w, "peering delete");
    CHECK(w.kernel->maps.peerings.size() == 2);  // the rejected and the expired request, inactive

    CHECK(w.kernel->full_applies == 0);  // nothing needed the whole store
}

TEST_CASE("incremental apply: a route add writes its one entry", "[controller][incremental]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(kAlice)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    std::vector<std::string> many;
    for (int i = 0; i < 1000; ++i) many.push_back("172." + std::to_string(16 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
    w.as(kAlice)->import_routes(a, p.id, many);

    auto c = w.as(kAlice);
    c->set_dry_run();
    c->add_route(RouteSpec{a, "192.168.0.0/16", p.id});
    CHECK(c->dry_run_steps().back() == "maps: 1 added, 0 changed, 0 removed");
}

TEST_CASE("incremental apply: a command after a killed one rewrites all maps, then clears the flag", "[controller][incremental]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(kAlice)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    check_maps(w, "setup");

    // what a route add killed after its map write and before its commit leaves
    w.kernel->dirty = true;
    w.kernel->maps.routes_v4[junk_key()] = xp_route{XP_NH_PEERING, p.slot, {}, {}};
    w.kernel->maps.peerings.clear();
    const size_t full = w.kernel->full_applies;

    SECTION("a command that writes no maps of its own") {
        w.as_operator()->set_quota(kAlice, "vpc_quota_peer_num", 30);
        check_maps(w, "quota set after the kill");
        CHECK(w.kernel->full_applies == full + 1);
    }
    SECTION("a command that writes maps: all of them, for the whole transaction") {
        const size_t deltas = w.kernel->delta_applies;
        w.as(kAlice)->add_route(RouteSpec{a, "192.168.0.0/16", p.id});
        check_maps(w, "route add after the kill");
        CHECK(w.kernel->full_applies == full + 2);
        CHECK(w.kernel->delta_applies == deltas);
    }
    SECTION("a dry run leaves the flag for the next real command") {
        auto c = w.as(kAlice);
        c->set_dry_run();
        c->add_route(RouteSpec{a, "192.168.0.0/16", p.id});
        CHECK(w.kernel->dirty);
        CHECK(w.kernel->full_applies == full);
    }
    // the next command is incremental again
    const size_t deltas = w.kernel->delta_applies;
    const size_t now_full = w.kernel->full_applies;
    w.as(kAlice)->add_route(RouteSpec{a, "192.169.0.0/16", p.id});
    check_maps(w, "the command after that");
    if (now_full > full) CHECK(w.kernel->full_applies == now_full);
    CHECK(w.kernel->delta_applies == deltas + (now_full > full ? 1 : 0));
}

TEST_CASE("incremental apply: a refused command writes no map and leaves no flag", "[controller][incremental]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(kAlice)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    w.as(kAlice)->add_route(RouteSpec{a, "192.168.0.0/16", p.id});
    const std::string before = w.dump();
    const size_t full = w.kernel->full_applies, deltas = w.kernel->delta_applies;

    CHECK(error_code([&] { w.as(kAlice)->add_route(RouteSpec{a, "192.168.0.0/16", p.id}); }) == "InvalidDestinationCidrBlock.Duplicate");
    CHECK(error_code([&] {
              w.as(kAlice)->add_route(RouteSpec{a, "10.1.1.0/25", p.id});
          }) == "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute");
    CHECK(error_code([&] { w.as(kBob)->delete_peering(p.id, true); }) == "InvalidVpcPeerId.NotFound");
    CHECK(error_code([&] { w.as(kAlice)->delete_peering(p.id, false); }) == "DependencyViolation.RouteEntry");
    CHECK(error_code([&] {
              w.as(kAlice)->create_vswitch(VSwitchSpec{a, "10.1.1.0/24", std::nullopt, ""});
          }) == "InvalidCidrBlock.Overlapped");

    CHECK(w.dump() == before);
    CHECK(w.kernel->full_applies == full);
    CHECK(w.kernel->delta_applies == deltas);
    CHECK_FALSE(w.kernel->dirty);
}

TEST_CASE("incremental apply: a kernel failure mid-command rolls back, the maps follow the store, the flag is cleared",
          "[controller][incremental]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(kAlice)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    w.as(kAlice)->add_route(RouteSpec{a, "192.168.0.0/16", p.id});

    // delete --force writes twice: the second write fails, after the first changed the maps
    w.kernel->fail_apply_after = 1;
    CHECK_THROWS(w.as(kAlice)->delete_peering(p.id, true));
    w.kernel->fail_apply_after = -1;
    CHECK(w.as(kAlice)->show_peering(p.id).status == PeeringStatus::Activated);
    check_maps(w, "the failed delete");
    CHECK(w.kernel->active(p.slot));
}

TEST_CASE("a dry-run reconcile plans against the links it has and changes nothing", "[controller][incremental]") {
    World w;
    auto a = vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24");
    w.as(kAlice)->create_vswitch(VSwitchSpec{a, "10.1.2.0/24", std::nullopt, ""});  // two links: the ports used to collide at ifindex 0
    auto b = vpc_with_vswitch(w, kAlice, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(kAlice)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    w.as(kAlice)->add_route(RouteSpec{a, "10.2.0.0/16", p.id});
    REQUIRE(w.kernel->maps.routes_v4.size() == 3 * kV4EntriesPerVSwitch + 1);
    w.kernel->maps.routes_v4.erase(w.kernel->maps.routes_v4.begin());  // the maps lost an entry
    const std::string before = w.dump();

    auto c = w.as(kAlice);
    c->set_dry_run();
    Controller::Repair r{};
    REQUIRE_NOTHROW(r = c->reconcile());
    CHECK(r.found.size() == 1);  // the lost entry, named
    CHECK(r.maps.added == 1);
    CHECK(r.maps.changed == 0);
    CHECK(r.maps.removed == 0);
    CHECK(c->dry_run_steps().back() == "maps: 1 added, 0 changed, 0 removed");
    CHECK(w.dump() == before);
}
