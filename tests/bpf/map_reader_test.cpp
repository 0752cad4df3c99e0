// `xpeer maps` on the real maps: the reader walks only the scope's slots and sums the CPUs' copies.
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

TEST_CASE("the map reader shows the scope's compiled lookups, a VPC and family a row", "[maps]") {
    RouterFixture fx;
    auto roots = read_map(fx.dp, "/pins", "xp_fib_roots", scope_of_a(fx));
    REQUIRE(roots.rows.size() == 2);  // VPC A's IPv4 and IPv6 tries; B's and C's are out of the scope
    for (const auto& row : roots.rows) {
        CHECK(row["VpcId"] == "vpc-a");
        CHECK(row["Root"] != 0);
        CHECK(row["Nodes"] > 0);
    }
    CHECK(roots.rows[0]["Family"] == "IPv4");
    CHECK(roots.rows[1]["Family"] == "IPv6");
    CHECK(roots.summary.used == 2);

    auto summaries = summarize_maps(fx.dp, "/pins", scope_of_a(fx));
    CHECK(std::ranges::none_of(summaries, [](const MapSummary& m) { return m.info.owner == MapOwner::Router; }));
}
