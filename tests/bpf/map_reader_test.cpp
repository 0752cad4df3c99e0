// `xpeer maps` on the real maps: the reader walks only the scope's slots, sums the CPUs' copies
// and tells the route cache's current entries from stale ones.
#include <catch2/catch.hpp>

#include "datapath/map_reader.h"
#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;

namespace {

// VPC A's entries, as Controller::map_scope gives its owner.
MapScope scope_of_a(const RouterFixture& fx) {
    MapScope scope;
    for (const auto& v : fx.snapshot.vpcs) scope.vpc_names[v.key] = v.id;
    scope.vpcs[1] = "vpc-a";
    scope.peerings[5] = "pcc-ab";
    scope.peerings[7] = "pcc-ac";
    return scope;
}

}  // namespace

TEST_CASE("the map reader sums a link's CPUs and reads only the scope's slots", "[maps]") {
    RouterFixture fx;
    std::vector<xp_link_counters> cpus(cpu_ids());
    for (size_t cpu = 0; cpu < cpus.size(); ++cpu) cpus[cpu].packets = cpu + 3;
    fx.dp.link_stats.write_percpu(5 * XP_DIR_MAX + XP_DIR_A_TO_B, cpus);
    fx.dp.link_stats.write_percpu(6 * XP_DIR_MAX + XP_DIR_A_TO_B, cpus);  // pcc-bc: not A's

    auto links = read_map(fx.dp, "/pins", "xp_link_stats", scope_of_a(fx));
    REQUIRE(links.rows.size() == 4);  // slots 5 and 7, both directions
    const uint64_t n = cpus.size();
    CHECK(links.rows[0]["PeeringId"] == "pcc-ab");
    CHECK(links.rows[0]["From"] == "vpc-a");
    CHECK(links.rows[0]["To"] == "vpc-b");
    CHECK(links.rows[0]["Packets"] == n * 3 + n * (n - 1) / 2);
    for (const auto& row : links.rows) CHECK(row["Slot"] != 6);
    CHECK(links.summary.path == "/pins/xp_link_stats");
    CHECK(links.summary.max_entries == XP_LINKS_PER_CPU);

    auto routes = read_map(fx.dp, "/pins", "xp_routes_v4", scope_of_a(fx));
    CHECK_FALSE(routes.rows.empty());
    for (const auto& row : routes.rows) CHECK(row["VpcId"] == "vpc-a");
    CHECK(std::ranges::any_of(routes.rows, [](const auto& r) { return r["Cidr"] == "10.2.0.0/16" && r["Target"] == "pcc-ab"; }));
    CHECK_THROWS_WITH(read_map(fx.dp, "/pins", "xp_nope", scope_of_a(fx)),
                      Catch::Contains("InvalidMapName") || Catch::Contains("xp_routes_v4"));
}

TEST_CASE("the map reader counts a VPC's cached routes, current and stale", "[maps]") {
    RouterFixture fx;
    xp_cached_route e{};
    e.generation = fx.dp.read_control().generation;
    e.link = XP_NO_LINK;
    fx.dp.route_cache_v4.put(xp_cache_key_v4{1, {10, 1, 2, 9}}, e);
    fx.dp.route_cache_v4.put(xp_cache_key_v4{2, {10, 2, 1, 9}}, e);  // VPC B's: out of the scope

    auto cache = read_map(fx.dp, "/pins", "xp_route_cache_v4", scope_of_a(fx));
    REQUIRE(cache.rows.size() == 1);
    CHECK(cache.rows[0]["VpcId"] == "vpc-a");
    CHECK(cache.rows[0]["Current"] == 1);
    fx.dp.bump_generation();
    cache = read_map(fx.dp, "/pins", "xp_route_cache_v4", scope_of_a(fx));
    CHECK(cache.rows[0]["Stale"] == 1);
    CHECK(cache.summary.used == 1);

    auto summaries = summarize_maps(fx.dp, "/pins", scope_of_a(fx));
    CHECK(std::ranges::none_of(summaries, [](const MapSummary& m) { return m.info.owner == MapOwner::Router; }));
}
