// Names wherever ids are: resolved among the caller's own resources, refused when ambiguous.
#include <catch2/catch.hpp>

#include "cli/name_refs.h"
#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::error_code;
using xpeer::testing::first_line_of;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

TEST_CASE("name refs: an id stays an id, a name is the one candidate's id", "[cli]") {
    std::vector<name_refs::Named> vpcs{{"vpc-a", "shop"}, {"vpc-b", "db"}, {"vpc-c", ""}, {"vpc-d", "db"}};
    CHECK(name_refs::resolve("vpc-zzz", "vpc-", "VPC", vpcs) == "vpc-zzz");  // not looked up: the command says if it exists
    CHECK(name_refs::resolve("shop", "vpc-", "VPC", vpcs) == "vpc-a");
    CHECK(error_code([&] { name_refs::resolve("nothing", "vpc-", "VPC", vpcs); }) == "InvalidName.NotFound");
    CHECK(error_code([&] { name_refs::resolve("", "vpc-", "VPC", vpcs); }) == "InvalidName.NotFound");  // unnamed ones are not ""
    try {
        name_refs::resolve("db", "vpc-", "VPC", vpcs);
        FAIL("an ambiguous name was resolved");
    } catch (const Error& e) {
        CHECK(e.code() == "InvalidName.Ambiguous");
        CHECK_THAT(std::string(e.what()), Catch::Contains("vpc-b") && Catch::Contains("vpc-d"));
    }
}

TEST_CASE("name refs: a newcomer's commands by name, within the caller's account", "[cli]") {
    World w;
    auto shop = first_line_of(w, {"vpc", "create", "--cidr", "172.16.0.0/12", "--name", "shop"});
    auto db = first_line_of(w, {"vpc", "create", "--cidr", "192.168.0.0/16", "--name", "db"});
    auto vsw = first_line_of(w, {"vswitch", "create", "--vpc", "shop", "--cidr", "172.16.1.0/24", "--name", "front"});
    CHECK(nlohmann::json::parse(run_cli_on(w, {"vswitch", "show", "front", "--json"}).out)["VpcId"] == shop);
    CHECK_THAT(first_line_of(w, {"instance", "create", "--vswitch", "front"}), Catch::StartsWith("i-"));
    CHECK(nlohmann::json::parse(run_cli_on(w, {"instance", "list", "--vswitch", "front", "--json"}).out).size() == 1);
    auto pcc = first_line_of(w, {"peering", "create", "--vpc", "shop", "--peer-vpc", "db", "--name", "shop-db"});
    auto route = nlohmann::json::parse(
        run_cli_on(w, {"route", "add", "--vpc", "shop", "--destination", "192.168.0.0/16", "--next-hop", "shop-db", "--json"}).out);
    CHECK(route["VpcId"] == shop);
    CHECK(route["NextHopId"] == pcc);
    CHECK(nlohmann::json::parse(run_cli_on(w, {"stats", "shop-db", "--json"}).out)["Links"][0]["InstanceId"] == pcc);

    SECTION("another account's names are not the caller's") {
        auto r = run_cli_on(w, {"vpc", "show", "shop", "--account", "4242"});
        CHECK(r.status == 1);
        CHECK_THAT(r.err, Catch::StartsWith("error: InvalidName.NotFound: "));
    }
    SECTION("two of the caller's VPCs with one name: refused, naming both") {
        auto twin = first_line_of(w, {"vpc", "create", "--cidr", "10.0.0.0/16", "--name", "shop"});
        auto before = w.dump();
        auto r = run_cli_on(w, {"vpc", "delete", "shop"});
        CHECK(r.status == 1);
        CHECK_THAT(r.err, Catch::StartsWith("error: InvalidName.Ambiguous: ") && Catch::Contains(shop) && Catch::Contains(twin));
        CHECK(w.dump() == before);
    }
    SECTION("a delete by name prints the id it deleted") {
        REQUIRE(run_cli_on(w, {"route", "delete", route["RouteEntryId"].get<std::string>()}).status == 0);
        CHECK(nlohmann::json::parse(run_cli_on(w, {"peering", "delete", "shop-db", "--json"}).out) == nlohmann::json{{"InstanceId", pcc}});
        auto gone = run_cli_on(w, {"peering", "show", "shop-db"});  // a Deleted connection's name is free again
        CHECK_THAT(gone.err, Catch::StartsWith("error: InvalidName.NotFound: "));
        auto inst = nlohmann::json::parse(run_cli_on(w, {"instance", "list", "--json"}).out)[0]["InstanceId"].get<std::string>();
        REQUIRE(run_cli_on(w, {"instance", "delete", inst}).status == 0);
        CHECK(first_line_of(w, {"vswitch", "delete", "front"}) == vsw + " deleted");
        CHECK(first_line_of(w, {"vpc", "delete", "db"}) == db + " deleted");
    }
}
