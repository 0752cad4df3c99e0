// Errors as the user sees them: one line naming the rule, or one JSON object under --json.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

TEST_CASE("cli errors: a rule's error is CODE: message, or under --json {Code, Message} on one line", "[cli]") {
    std::ostringstream text, json;
    print_error(text, false, "InvalidVpcId.NotFound", "Vpc vpc-x not found");
    CHECK(text.str() == "error: InvalidVpcId.NotFound: Vpc vpc-x not found\n");
    print_error(json, true, "InvalidVpcId.NotFound", "Vpc \"vpc-x\" not found");
    CHECK(json.str().find('\n') == json.str().size() - 1);
    auto j = nlohmann::json::parse(json.str());
    CHECK(j == nlohmann::json{{"Code", "InvalidVpcId.NotFound"}, {"Message", "Vpc \"vpc-x\" not found"}});
}

TEST_CASE("cli errors: a failure outside the rules is InternalError under --json", "[cli]") {
    std::ostringstream text, json;
    print_error(text, false, "", "sqlite: disk I/O error");
    CHECK(text.str() == "error: sqlite: disk I/O error\n");
    print_error(json, true, "", "sqlite: disk I/O error");
    CHECK(nlohmann::json::parse(json.str())["Code"] == "InternalError");
    CHECK(exit_status_of([]() -> int { throw std::runtime_error("boom"); }, true) == 1);
}

TEST_CASE("cli errors: a refused command under --json prints the object on stderr, nothing on stdout, exit 1", "[cli]") {
    World w;
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"--json", "vpc", "show", "vpc-nope"}, {"vpc", "show", "vpc-nope", "--json"}}) {
        auto r = run_cli_on(w, args);
        CHECK(r.status == 1);
        CHECK(r.out.empty());
        auto j = nlohmann::json::parse(r.err);
        CHECK(j["Code"] == "InvalidVpcId.NotFound");
        CHECK_THAT(j["Message"].get<std::string>(), Catch::Contains("vpc-nope"));
    }
    auto text = run_cli_on(w, {"vpc", "show", "vpc-nope"});
    CHECK(text.status == 1);
    CHECK_THAT(text.err, Catch::StartsWith("error: InvalidVpcId.NotFound: "));
}
