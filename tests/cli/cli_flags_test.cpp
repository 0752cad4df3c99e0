// Global flags anywhere on the command line, as a newcomer types them.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::ParsedCli;

TEST_CASE("cli: a global flag is accepted before the noun, after it, and after the verb", "[cli]") {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"--json", "vpc", "list"}, {"vpc", "--json", "list"}, {"vpc", "list", "--json"}}) {
        ParsedCli cli(args);
        CHECK(cli.g.json);
        CHECK(cli.action);
    }
}

TEST_CASE("cli: every global flag follows the verb's own options", "[cli]") {
    ParsedCli cli({"vpc", "create", "--cidr", "10.0.0.0/16", "--dry-run", "--account", "7", "-v", "--operator", "--client-token", "t-1",
                   "--xdp-mode", "generic", "--state", "/tmp/elsewhere.db"});
    CHECK(cli.g.dry_run);
    CHECK(cli.g.config.account == 7);
    CHECK(cli.g.verbose);
    CHECK(cli.g.config.is_operator);
    CHECK(cli.g.client_token == "t-1");
    CHECK(cli.g.xdp_mode == "generic");
    CHECK(cli.g.config.state_path == "/tmp/elsewhere.db");
}

TEST_CASE("cli: --xdp-mode is tc (the router's TC twin, the default), native or generic", "[cli]") {
    unsetenv("XPEER_XDP_MODE");  // the variable would stand for the flag
    CHECK(ParsedCli({"vpc", "list"}).g.xdp_mode == "tc");
    for (const char* mode : {"tc", "native", "generic"}) CHECK(ParsedCli({"vpc", "list", "--xdp-mode", mode}).g.xdp_mode == mode);
    CHECK_THROWS_AS(ParsedCli({"vpc", "list", "--xdp-mode", "offload"}), CLI::ParseError);
}

TEST_CASE("cli: a verb's own option of a global's name is the verb's", "[cli]") {
    ParsedCli cli({"vpc", "share", "vpc-1", "--account", "7"});  // the principal, not the caller
    CHECK(cli.g.config.account == Globals{}.config.account);
    ParsedCli caller({"vpc", "share", "vpc-1", "--account", "7", "--operator"});
    CHECK(caller.g.config.is_operator);
}

TEST_CASE("cli: exec passes everything after -- to the command, global flags included", "[cli]") {
    ParsedCli cli({"exec", "vpc-1", "--json", "--", "ip", "--json", "-v", "--dry-run", "addr"});
    CHECK(cli.g.json);  // before --: xpeer's
    CHECK_FALSE(cli.g.verbose);
    CHECK_FALSE(cli.g.dry_run);
}

TEST_CASE("cli: an unknown flag after the verb is still refused", "[cli]") {
    CHECK_THROWS_AS(ParsedCli({"vpc", "list", "--bogus"}), CLI::ParseError);
    CHECK_THROWS_AS(ParsedCli({"vpc", "list", "extra"}), CLI::ParseError);
}

TEST_CASE("cli: `xpeer agent` leaves every argument after it to xpeer-agent", "[cli]") {
    ParsedCli cli({"--json", "agent", "--interval", "2s", "--state", "/tmp/a.db", "--help", "--ticks", "1"});
    CHECK(cli.agent->parsed());
    CHECK(cli.g.json);  // an error starting xpeer-agent is printed as JSON
    CHECK(cli.agent->remaining() == std::vector<std::string>{"--interval", "2s", "--state", "/tmp/a.db", "--help", "--ticks", "1"});
}

TEST_CASE("cli: a dry run of a create after the verb changes nothing and prints its plan", "[cli]") {
    xpeer::testing::World w;
    auto before = xpeer::testing::run_cli_on(w, {"vpc", "list", "--json"});
    REQUIRE(before.status == 0);
    auto r = xpeer::testing::run_cli_on(w, {"vpc", "create", "--cidr", "10.0.0.0/16", "--json", "--dry-run"});
    CHECK(r.status == 0);
    auto plan = nlohmann::json::parse(r.out);
    CHECK(plan["DryRun"] == true);
    CHECK_FALSE(plan["Changes"].empty());
    CHECK(xpeer::testing::run_cli_on(w, {"vpc", "list", "--json"}).out == before.out);
}
