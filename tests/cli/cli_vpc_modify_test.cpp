// `xpeer vpc modify`: by id or name, the VPC as show prints it, refusals and dry runs that change nothing.
#include <catch2/catch.hpp>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::first_line_of;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

TEST_CASE("cli: vpc modify by name renames and adds IPv6, and list and show have the new values", "[cli]") {
    World w;
    auto vpc = first_line_of(w, {"vpc", "create", "--cidr", "172.16.0.0/12", "--name", "shop"});
    auto r = run_cli_on(w, {"vpc", "modify", "shop", "--name", "store", "--ipv6-cidr", "fd00:0:0:3f00::/56", "--json"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["VpcId"] == vpc);
    CHECK(j["VpcName"] == "store");
    CHECK(j["Ipv6CidrBlock"] == "fd00:0:0:3f00::/56");
    auto list = nlohmann::json::parse(run_cli_on(w, {"vpc", "list", "--json"}).out);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["VpcName"] == "store");
    CHECK(list[0]["Ipv6CidrBlock"] == "fd00:0:0:3f00::/56");
    CHECK_THAT(run_cli_on(w, {"vpc", "list"}).out, Catch::Contains("store") && Catch::Contains("fd00:0:0:3f00::/56"));
    // the new name is the VPC's name from now on, the old one no more
    CHECK(nlohmann::json::parse(run_cli_on(w, {"vpc", "show", "store", "--json"}).out)["VpcId"] == vpc);
    CHECK(run_cli_on(w, {"vpc", "show", "shop"}).status == 1);
    // without --json: the VPC's fields
    auto plain = run_cli_on(w, {"vpc", "modify", vpc, "--name", "front"});
    CHECK(plain.status == 0);
    CHECK_THAT(plain.out, Catch::Contains("front"));
}

TEST_CASE("cli: an IPv6 vSwitch in a VPC without IPv6 points at vpc modify", "[cli]") {
    World w;
    auto vpc = first_line_of(w, {"vpc", "create", "--cidr", "10.1.0.0/16"});
    auto r = run_cli_on(w, {"vswitch", "create", "--vpc", vpc, "--cidr", "10.1.1.0/24", "--ipv6-cidr", "fd00:0:0:1::/64"});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::StartsWith("error: InvalidIpv6CidrBlock.VpcHasNoIpv6: ") &&
                          Catch::Contains("xpeer vpc modify " + vpc + " --ipv6-cidr"));
}

TEST_CASE("cli: a refused vpc modify exits 1 with the rule's code and changes nothing", "[cli]") {
    World w;
    first_line_of(w, {"vpc", "create", "--cidr", "10.1.0.0/16", "--ipv6-cidr", "fd00:0:0:1::/64", "--name", "shop"});
    const std::string before = w.dump();
    struct Case {
        std::vector<std::string> args;
        int status;
        std::string error;  // the start of stderr
    };
    const std::vector<Case> cases{
        {{"vpc", "modify", "shop", "--ipv6-cidr", "fd00:0:0:2::/64"}, 1, "error: InvalidIpv6CidrBlock.VpcHasIpv6: "},
        {{"vpc", "modify", "shop", "--name", "x"}, 1, "error: InvalidVpcName.Malformed: "},
        {{"vpc", "modify", "shop"}, 1, "error: MissingParameter: "},
        {{"vpc", "modify", "nosuch", "--name", "store"}, 1, "error: InvalidName.NotFound: "},
        {{"vpc", "modify", "shop", "--name", "store", "--account", "4242"}, 1, "error: InvalidName.NotFound: "},
        {{"vpc", "modify", "shop", "--cidr", "10.9.0.0/16"}, 2, ""},  // the IPv4 block does not change
    };
    for (const auto& c : cases) {
        auto r = run_cli_on(w, c.args);
        INFO(r.err);
        CHECK(r.status == c.status);
        CHECK_THAT(r.err, Catch::StartsWith(c.error));
        CHECK(r.out.empty());
        CHECK(w.dump() == before);
    }
    auto json = run_cli_on(w, {"vpc", "modify", "shop", "--ipv6-cidr", "fd00:0:0:2::/64", "--json"});
    CHECK(json.status == 1);
    CHECK(nlohmann::json::parse(json.err)["Code"] == "InvalidIpv6CidrBlock.VpcHasIpv6");
}

TEST_CASE("cli: vpc modify --dry-run prints the change and makes none", "[cli]") {
    World w;
    auto vpc = first_line_of(w, {"vpc", "create", "--cidr", "10.1.0.0/16", "--name", "shop"});
    const std::string before = w.dump();
    auto r = run_cli_on(w, {"vpc", "modify", "shop", "--name", "store", "--ipv6-cidr", "fd00:0:0:1::/64", "--dry-run"});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::StartsWith("dry run: nothing was changed") && Catch::Contains(vpc) && Catch::Contains("Modified") &&
                          Catch::Contains("fd00:0:0:1::/64 added") && Catch::EndsWith("and in the kernel:\n  nothing\n"));
    auto j = nlohmann::json::parse(run_cli_on(w, {"vpc", "modify", "shop", "--name", "store", "--dry-run", "--json"}).out);
    CHECK(j["DryRun"] == true);
    CHECK(j["Changes"].size() == 1);
    CHECK(j["Kernel"].empty());
    CHECK(w.dump() == before);
}
