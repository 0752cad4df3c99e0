// `instance create` prints what every create prints: the new resource's id.
#include <catch2/catch.hpp>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

TEST_CASE("cli: instance create prints its id, and list and show give its addresses", "[cli]") {
    World w;
    auto vpc = run_cli_on(w, {"vpc", "create", "--cidr", "172.16.0.0/12", "--ipv6-cidr", "fd00:0:0:3f00::/56"}).out;
    vpc.pop_back();
    auto vsw = run_cli_on(w, {"vswitch", "create", "--vpc", vpc, "--cidr", "172.16.1.0/24", "--ipv6-cidr", "fd00:0:0:3f01::/64"}).out;
    vsw.pop_back();
    auto created = run_cli_on(w, {"instance", "create", "--vswitch", vsw});
    REQUIRE(created.status == 0);
    CHECK_THAT(created.out, Catch::Matches("i-[0-9a-z]+\n"));
    const std::string id = created.out.substr(0, created.out.size() - 1);
    auto shown = nlohmann::json::parse(run_cli_on(w, {"instance", "show", id, "--json"}).out);
    CHECK(shown["InstanceId"] == id);
    CHECK(shown["PrivateIpAddress"] == "172.16.1.2");
    CHECK(shown["Ipv6Address"] == "fd00:0:0:3f01::2");
    auto listed = run_cli_on(w, {"instance", "list"}).out;
    CHECK_THAT(listed, Catch::Contains(id) && Catch::Contains("172.16.1.2") && Catch::Contains("fd00:0:0:3f01::2"));
    auto json = nlohmann::json::parse(run_cli_on(w, {"instance", "create", "--vswitch", vsw, "--json"}).out);
    CHECK(json["PrivateIpAddress"] == "172.16.1.3");  // --json: the whole instance, as before
}
