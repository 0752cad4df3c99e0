// `peering list` shows the connections that exist; Deleted ones only when asked (--all).
#include <catch2/catch.hpp>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::first_line_of;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

namespace {

std::vector<std::string> listed(World& w, std::vector<std::string> args) {
    args.push_back("--json");
    std::vector<std::string> ids;
    for (const auto& p : nlohmann::json::parse(run_cli_on(w, args).out))
        ids.push_back(p["InstanceId"].get<std::string>() + " " + p["Status"].get<std::string>());
    return ids;
}

}  // namespace

TEST_CASE("cli: peering list hides Deleted connections unless --all", "[cli]") {
    World w;
    auto vpc1 = first_line_of(w, {"vpc", "create", "--cidr", "172.16.0.0/12"});
    auto vpc2 = first_line_of(w, {"vpc", "create", "--cidr", "192.168.0.0/16"});
    auto vpc3 = first_line_of(w, {"vpc", "create", "--cidr", "10.0.0.0/16"});
    auto kept = first_line_of(w, {"peering", "create", "--vpc", vpc1, "--peer-vpc", vpc2});
    auto gone = first_line_of(w, {"peering", "create", "--vpc", vpc1, "--peer-vpc", vpc3});
    REQUIRE(run_cli_on(w, {"peering", "delete", gone}).status == 0);
    CHECK(listed(w, {"peering", "list"}) == std::vector<std::string>{kept + " Activated"});
    auto all = listed(w, {"peering", "list", "--all"});
    CHECK(all.size() == 2);
    CHECK(std::find(all.begin(), all.end(), gone + " Deleted") != all.end());
    auto table = run_cli_on(w, {"peering", "list"}).out;
    CHECK_THAT(table, Catch::Contains(kept) && !Catch::Contains(gone));
    CHECK(run_cli_on(w, {"peering", "show", gone, "--json"}).status == 0);  // still shown by id
}
