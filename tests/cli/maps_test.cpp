#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli/map_render.h"
#include "datapath/map_rows.h"
#include "datapath/router_maps.h"
#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

std::string message_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code() + ": " + e.what();
    }
    return "";
}

const map_rows::Row* row_with(const MapContents& m, const std::string& field, const std::string& value) {
    for (const auto& r : m.rows)
        if (r.contains(field) && r[field] == value) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("maps decodes a VPC's routes with its id, CIDRs, kinds and targets by name", "[maps]") {
    World w;
    auto a = vpc_with_vswitch(w, 1, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, 1, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(1)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    w.as(1)->add_route(RouteSpec{a, "10.2.0.0/16", p.id});
    const auto vsw = w.as(1)->list_vswitches(a).at(0);

    auto routes = w.as(1)->map_entries("xp_routes_v4", a, std::nullopt);
    CHECK(routes.rows.size() == kV4EntriesPerVSwitch + 1);
    CHECK(routes.summary.used == routes.rows.size());
    for (const auto& r : routes.rows) CHECK(r["VpcId"] == a);  // nothing of b's
    const auto* via_peering = row_with(routes, "Cidr", "10.2.0.0/16");
    REQUIRE(via_peering);
    CHECK((*via_peering)["Kind"] == "peering");
    CHECK((*via_peering)["Target"] == p.id);
    const auto* system = row_with(routes, "Cidr", "10.1.1.0/24");
    REQUIRE(system);
    CHECK((*system)["Kind"] == "vswitch");
    CHECK((*system)["Target"] == vsw.id);
    CHECK(row_with(routes, "Kind", "reserved"));

    SECTION("--peering: only the routes through that connection") {
        auto through = w.as(1)->map_entries("xp_routes_v4", std::nullopt, p.id);
        REQUIRE(through.rows.size() == 1);
        CHECK(through.rows[0]["Cidr"] == "10.2.0.0/16");
        auto peerings = w.as(1)->map_entries("xp_peerings", std::nullopt, p.id);
        REQUIRE(peerings.rows.size() == 1);
        CHECK(peerings.rows[0]["PeeringId"] == p.id);
        CHECK(peerings.rows[0]["VpcId"] == a);
        CHECK(peerings.rows[0]["PeerVpcId"] == b);
        CHECK(peerings.rows[0]["Active"] == true);
    }
    SECTION("the link counters of a connection, by direction and VPC") {
        w.kernel->link_counters[{p.slot, Direction::BToA}].packets = 7;
        auto links = w.as(1)->map_entries("xp_link_stats", std::nullopt, p.id);
        REQUIRE(links.rows.size() == 2);
        CHECK(links.rows[1]["Direction"] == "b_to_a");
        CHECK(links.rows[1]["From"] == b);
        CHECK(links.rows[1]["To"] == a);
        CHECK(links.rows[1]["Packets"] == 7);
    }
    SECTION("ports: the vSwitch, its VPC and CIDR") {
        auto ports = w.as(1)->map_entries("xp_ports", a, std::nullopt);
        REQUIRE(ports.rows.size() == 1);
        CHECK(ports.rows[0]["VSwitchId"] == vsw.id);
        CHECK(ports.rows[0]["VpcId"] == a);
        CHECK(ports.rows[0]["Cidr"] == "10.1.1.0/24");
        CHECK(ports.rows[0]["Ipv6Cidr"].is_null());
    }
}

TEST_CASE("maps shows a tenant its own entries only, and the whole maps to the operator", "[maps]") {
    World w;
    auto mine = vpc_with_vswitch(w, 1, "10.1.0.0/16", "10.1.1.0/24");
    auto theirs = vpc_with_vswitch(w, 2, "10.2.0.0/16", "10.2.1.0/24");
    const std::string before = w.dump();

    // The same answer as for a VPC that does not exist, as every other command gives.
    const auto hidden = message_of([&] { w.as(1)->map_entries("xp_routes_v4", theirs, std::nullopt); });
    CHECK(hidden.rfind("InvalidVpcId.NotFound: ", 0) == 0);
    CHECK(hidden == message_of([&] { w.as(1)->show_vpc(theirs); }));
    CHECK(error_code([&] { w.as(1)->map_summaries(theirs, std::nullopt); }) == "InvalidVpcId.NotFound");
    CHECK(error_code([&] { w.as(1)->map_entries("xp_peerings", std::nullopt, "pcc-doesnotexist0000"); }) == "InvalidVpcPeerId.NotFound");
    CHECK(error_code([&] { w.as(1)->map_summaries(std::nullopt, std::nullopt); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(1)->map_entries("xp_routes_v4", std::nullopt, std::nullopt); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(1)->map_entries("xp_verdicts", mine, std::nullopt); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(1)->map_entries("xp_control", mine, std::nullopt); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(1)->map_entries("xp_nope", mine, std::nullopt); }) == "InvalidMapName.NotFound");
    CHECK(message_of([&] { w.as(1)->map_entries("xp_nope", mine, std::nullopt); }).find("xp_routes_v4, xp_routes_v6") != std::string::npos);
    CHECK(error_code([&] { w.as(1)->map_entries("xp_routes_v4", mine, "pcc-x"); }) == "InvalidParameter.Conflict");
    CHECK(w.dump() == before);  // reads only

    auto own = w.as(1)->map_summaries(mine, std::nullopt);
    CHECK(std::ranges::none_of(own, [](const MapSummary& m) { return m.info.owner == MapOwner::Router; }));
    auto routes = std::ranges::find(own, std::string("xp_routes_v4"), [](const MapSummary& m) { return m.info.name; });
    REQUIRE(routes != own.end());
    CHECK(routes->used == kV4EntriesPerVSwitch);

    auto whole = w.as_operator()->map_summaries(std::nullopt, std::nullopt);
    CHECK(whole.size() == std::size(kRouterMaps));
    auto all_routes = std::ranges::find(whole, std::string("xp_routes_v4"), [](const MapSummary& m) { return m.info.name; });
    CHECK(all_routes->used == 2 * kV4EntriesPerVSwitch);
    CHECK(w.as_operator()->map_entries("xp_routes_v4", theirs, std::nullopt).rows.size() == kV4EntriesPerVSwitch);
}

TEST_CASE("map rows name verdicts, sum CPUs and leave no CIDR for a family a port lacks", "[maps]") {
    std::vector<xp_verdicts> cpus(2);
    cpus[0].reason[XP_REASON_DROP_POLICER] = {3, 300};
    cpus[1].reason[XP_REASON_DROP_POLICER] = {4, 400};
    cpus[0].lookup[XP_LOOKUP_TRIES] = 2;
    cpus[1].lookup[XP_LOOKUP_TRIES] = 9;
    cpus[1].lookup[XP_LOOKUP_COMPILED] = 5;
    auto rows = map_rows::verdicts(cpus);
    REQUIRE(rows.size() == size_t{XP_REASON_MAX} + XP_LOOKUP_MAX);
    CHECK(rows[XP_REASON_DROP_POLICER]["Counter"] == "drop_policer");
    CHECK(rows[XP_REASON_DROP_POLICER]["Packets"] == 7);
    CHECK(rows[XP_REASON_DROP_POLICER]["Bytes"] == 700);
    CHECK(rows[size_t{XP_REASON_MAX} + XP_LOOKUP_COMPILED]["Counter"] == "compiled_lookup");
    CHECK(rows[size_t{XP_REASON_MAX} + XP_LOOKUP_COMPILED]["Packets"] == 5);
    CHECK(rows[size_t{XP_REASON_MAX} + XP_LOOKUP_TRIES]["Counter"] == "tries_lookup");
    CHECK(rows[size_t{XP_REASON_MAX} + XP_LOOKUP_TRIES]["Packets"] == 11);

    MapScope scope;
    scope.vpcs[5] = "vpc-five";
    scope.vswitches[12] = "vsw-twelve";
    xp_port p{};
    p.vpc = 5;
    p.src_v6_len = 64;
    p.src_v6[0] = 0xfd;
    auto port = map_rows::port(12, p, scope);
    CHECK(port["VSwitchId"] == "vsw-twelve");
    CHECK(port["Cidr"].is_null());
    CHECK(port["Ipv6Cidr"] == "fd00::/64");
    CHECK(map_rows::port(13, xp_port{.vpc = 6}, scope)["VpcId"] == "?");  // in no store: shown, not named

    xp_fib_result crossed{};
    crossed.reason = XP_REASON_FORWARD_PEERING;
    crossed.link = 3 * XP_DIR_MAX;
    crossed.route.target = 12;
    crossed.own_len = 16;
    crossed.peer_len = 24;
    crossed.lengths_set = 1;
    auto result = map_rows::fib_result(7, crossed, scope);
    CHECK(result["Target"] == "vsw-twelve");
    CHECK(result["RouteLength"] == 16);  // what decided it: the VPC's /16, then the peer's /24
    CHECK(result["PeerRouteLength"] == 24);
    crossed.peer_len = XP_FIB_NO_LEN;
    CHECK(map_rows::fib_result(7, crossed, scope)["PeerRouteLength"].is_null());
    crossed.lengths_set = 0;  // written by a build before the lengths
    CHECK(map_rows::fib_result(7, crossed, scope)["RouteLength"].is_null());
}

TEST_CASE("maps renders a table under its fields' titles, and JSON with the entries", "[maps]") {
    CHECK(render::column_title("VpcId") == "VPC ID");
    CHECK(render::column_title("VSwitchId") == "VSWITCH ID");
    CHECK(render::column_title("Ipv6Cidr") == "IPV6 CIDR");
    CHECK(render::column_title("TargetIndex") == "TARGET INDEX");

    MapContents m{{info_of(kRouterMaps[0]), "/sys/fs/bpf/xpeer/xp_routes_v4", 1, 2097152}, {}};
    m.rows.push_back({{"VpcId", "vpc-a"}, {"Cidr", "10.1.0.0/16"}, {"Kind", "reserved"}, {"Target", nullptr}});
    std::ostringstream text;
    render::map_table(text, m);
    CHECK(text.str().find("/sys/fs/bpf/xpeer/xp_routes_v4 (lpm_trie): 1 of 2097152 entries") == 0);
    CHECK(text.str().find("VPC ID") != std::string::npos);
    CHECK(text.str().find("reserved") != std::string::npos);
    auto j = render::map_json(m);
    CHECK(j["Name"] == "xp_routes_v4");
    CHECK(j["Entries"][0]["Cidr"] == "10.1.0.0/16");
}

TEST_CASE("the README documents every map of the table", "[maps]") {
    std::ifstream in(std::string(XPEER_SOURCE_DIR) + "/README.md");
    REQUIRE(in);
    std::stringstream readme;
    readme << in.rdbuf();
    for (const auto& m : kRouterMaps) {
        INFO(m.name);
        CHECK(readme.str().find(std::string("`") + m.name + "`") != std::string::npos);
    }
}

TEST_CASE("maps shows a principal of a shared VPC its routes, not the owner's connections", "[maps]") {
    World w;
    auto shared = vpc_with_vswitch(w, 1, "10.1.0.0/16", "10.1.1.0/24");
    auto peer = vpc_with_vswitch(w, 1, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(1)->create_peering(PeeringSpec{shared, peer, {}, {}, {}, {}, "", ""});
    w.as(1)->add_route(RouteSpec{shared, "10.2.0.0/16", p.id});
    w.as(1)->share_vpc(shared, 2);

    auto routes = w.as(2)->map_entries("xp_routes_v4", shared, std::nullopt);
    const auto* through = row_with(routes, "Cidr", "10.2.0.0/16");
    REQUIRE(through);
    CHECK((*through)["Target"] == p.id);
    CHECK(w.as(2)->map_entries("xp_link_stats", shared, std::nullopt).rows.empty());
    CHECK(w.as(2)->map_entries("xp_peerings", shared, std::nullopt).rows.empty());
    CHECK(w.as(1)->map_entries("xp_link_stats", shared, std::nullopt).rows.size() == 2);
    CHECK(error_code([&] { w.as(2)->map_entries("xp_link_stats", std::nullopt, p.id); }) ==
          error_code([&] { w.as(2)->show_peering(p.id); }));
}
