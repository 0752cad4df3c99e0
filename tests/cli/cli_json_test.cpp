// One JSON convention for every command: the cloud's PascalCase field names.
#include <catch2/catch.hpp>
#include <functional>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::json_of;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

namespace {

// Every object key in j, at any depth, with its path.
void each_key(const nlohmann::json& j, const std::string& path, const std::function<void(const std::string&, const std::string&)>& fn) {
    if (j.is_object())
        for (const auto& [k, v] : j.items()) {
            fn(path, k);
            each_key(v, path + "." + k, fn);
        }
    else if (j.is_array())
        for (size_t i = 0; i < j.size(); ++i) each_key(j[i], path + "[" + std::to_string(i) + "]", fn);
}

// Two peered VPCs of account 1001, with a route each way; the peering's id.
std::string peered(World& w) {
    auto id = [&](std::vector<std::string> args, const char* field) { return json_of(w, args)[field].get<std::string>(); };
    auto vpc1 = id({"vpc", "create", "--cidr", "172.16.0.0/12", "--account", "1001"}, "VpcId");
    auto vpc2 = id({"vpc", "create", "--cidr", "192.168.0.0/16", "--account", "1001"}, "VpcId");
    id({"vswitch", "create", "--vpc", vpc1, "--cidr", "172.16.1.0/24", "--account", "1001"}, "VSwitchId");
    id({"vswitch", "create", "--vpc", vpc2, "--cidr", "192.168.1.0/24", "--account", "1001"}, "VSwitchId");
    auto pcc = id({"peering", "create", "--vpc", vpc1, "--peer-vpc", vpc2, "--account", "1001"}, "InstanceId");
    id({"route", "add", "--vpc", vpc1, "--destination", "192.168.0.0/16", "--next-hop", pcc, "--account", "1001"}, "RouteEntryId");
    return pcc;
}

}  // namespace

TEST_CASE("cli json: stats, top and the router's counters use PascalCase field names", "[cli]") {
    World w;
    auto pcc = peered(w);
    auto stats = json_of(w, {"stats", "--operator"});
    REQUIRE(stats["Links"].size() == 1);
    auto link = stats["Links"][0];
    CHECK(link["InstanceId"] == pcc);
    REQUIRE(link["Directions"].size() == 2);
    CHECK(link["Directions"][0]["Counters"].contains("Packets"));
    CHECK(link["Directions"][0]["Counters"].contains("DropPolicer"));
    REQUIRE(stats["Reasons"].is_array());
    REQUIRE_FALSE(stats["Reasons"].empty());
    CHECK(stats["Reasons"][0].contains("Reason"));  // the reason's name, as the table and the metrics spell it
    CHECK(stats["RouteLookups"].contains("Tries"));
    std::vector<std::string> bad;
    for (const auto& j : {stats, json_of(w, {"top", "--interval", "1ms", "--count", "1", "--account", "1001"}),
                          json_of(w, {"stats", pcc, "--account", "1001"})})
        each_key(j, "", [&](const std::string& path, const std::string& k) {
            if (!std::isupper(static_cast<unsigned char>(k[0]))) bad.push_back(path + "." + k);
        });
    CHECK(bad.empty());
    INFO(Catch::Detail::stringify(bad));
}

TEST_CASE("cli json: every delete prints the deleted resource's id under its own field name", "[cli]") {
    World w;
    auto pcc = peered(w);
    auto route = json_of(w, {"route", "list", "--account", "1001"})[0]["RouteEntryId"].get<std::string>();
    CHECK(json_of(w, {"route", "delete", route, "--account", "1001"}) == nlohmann::json{{"RouteEntryId", route}});
    auto alert = json_of(w, {"alert", "create", "--peering", pcc, "--metric", "bps", "--threshold", "1", "--account", "1001"})["AlertId"]
                     .get<std::string>();
    CHECK(json_of(w, {"alert", "delete", alert, "--account", "1001"}) == nlohmann::json{{"AlertId", alert}});
    CHECK(json_of(w, {"peering", "delete", pcc, "--account", "1001"}) == nlohmann::json{{"InstanceId", pcc}});
    for (const auto& vsw : json_of(w, {"vswitch", "list", "--account", "1001"})) {
        auto id = vsw["VSwitchId"].get<std::string>(), vpc = vsw["VpcId"].get<std::string>();
        CHECK(json_of(w, {"vswitch", "delete", id, "--account", "1001"}) == nlohmann::json{{"VSwitchId", id}});
        CHECK(json_of(w, {"vpc", "delete", vpc, "--account", "1001"}) == nlohmann::json{{"VpcId", vpc}});
    }
}
