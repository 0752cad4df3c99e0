// `vpc delete --recursive`: a VPC with everything in it, peerings and their routes at both ends.
#include <catch2/catch.hpp>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::first_line_of;
using xpeer::testing::json_of;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

namespace {

size_t count(World& w, const std::vector<std::string>& args) { return json_of(w, args).size(); }

}  // namespace

TEST_CASE("vpc delete --recursive removes the VPC with its routes, peerings at both ends, instances and vSwitches", "[cli]") {
    World w;
    const std::string me = "1001", them = "2002";
    auto a = first_line_of(w, {"vpc", "create", "--cidr", "172.16.0.0/12", "--account", me});
    auto b = first_line_of(w, {"vpc", "create", "--cidr", "192.168.0.0/16", "--account", me});
    auto c = first_line_of(w, {"vpc", "create", "--cidr", "10.0.0.0/16", "--account", them});
    for (int i = 1; i <= 2; ++i) {
        auto vsw = first_line_of(w, {"vswitch", "create", "--vpc", a, "--cidr", "172.16." + std::to_string(i) + ".0/24", "--account", me});
        first_line_of(w, {"instance", "create", "--vswitch", vsw, "--account", me});
    }
    auto vsw_b = first_line_of(w, {"vswitch", "create", "--vpc", b, "--cidr", "192.168.1.0/24", "--account", me});
    auto ab = first_line_of(w, {"peering", "create", "--vpc", a, "--peer-vpc", b, "--account", me});
    first_line_of(w, {"route", "add", "--vpc", a, "--destination", "192.168.0.0/16", "--next-hop", ab, "--account", me});
    first_line_of(w, {"route", "add", "--vpc", b, "--destination", "172.16.0.0/12", "--next-hop", ab, "--account", me});
    auto ca =
        first_line_of(w, {"peering", "create", "--vpc", c, "--peer-vpc", a, "--peer-account", me, "--account", them});  // a request to A

    auto refused = run_cli_on(w, {"vpc", "delete", a, "--account", me});
    CHECK(refused.status == 1);
    CHECK_THAT(refused.err, Catch::Contains(ab) && Catch::Contains(ca + " (Peer Accepting; reject it)") && Catch::Contains("route entry"));
    CHECK(run_cli_on(w, {"vpc", "delete", a, "--recursive", "--dry-run", "--account", me}).status == 1);  // InvalidParameter.DryRun

    auto r = run_cli_on(w, {"vpc", "delete", a, "--recursive", "--account", me});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("peering connection " + ca + " rejected") &&
                          Catch::Contains("peering connection " + ab + " deleted") && Catch::EndsWith(a + " deleted\n"));
    CHECK(count(w, {"vpc", "list", "--json", "--account", me}) == 1);    // b
    CHECK(count(w, {"route", "list", "--json", "--account", me}) == 0);  // b's route through ab too
    CHECK(count(w, {"vswitch", "list", "--json", "--account", me}) == 1);
    CHECK(json_of(w, {"vswitch", "list", "--json", "--account", me})[0]["VSwitchId"] == vsw_b);
    CHECK(count(w, {"instance", "list", "--json", "--account", me}) == 0);
    CHECK(count(w, {"peering", "list", "--json", "--account", me}) == 0);
    CHECK(count(w, {"peering", "list", "--all", "--json", "--account", them}) == 1);  // c's request, Deleted
    CHECK(json_of(w, {"peering", "show", ca, "--json", "--account", them})["Status"] == "Deleted");
}

TEST_CASE("vpc delete --recursive: only the VPC's owner, and JSON as any delete", "[cli]") {
    World w;
    auto a = first_line_of(w, {"vpc", "create", "--cidr", "172.16.0.0/12", "--account", "1001"});
    first_line_of(w, {"--account", "1001", "vpc", "share", a, "--account", "2002"});  // after share: the principal
    auto before = w.dump();
    auto principal = run_cli_on(w, {"--account", "2002", "vpc", "delete", a, "--recursive"});
    CHECK(principal.status == 1);
    CHECK_THAT(principal.err, Catch::StartsWith("error: Forbidden.SharedVpc: "));
    CHECK(w.dump() == before);
    first_line_of(w, {"--account", "1001", "vpc", "unshare", a, "--account", "2002"});
    auto r = run_cli_on(w, {"vpc", "delete", a, "--recursive", "--json", "--account", "1001"});
    CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"VpcId", a}});
}
