// Tables for people: a connection's name beside its id, in peering list, stats and top.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli_harness.h"

using namespace xpeer;
using xpeer::testing::run_cli_on;
using xpeer::testing::World;

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The cell of column `header` in the table's second line (columns are aligned on the header).
std::string cell(const std::string& table, const std::string& header) {
    std::istringstream in(table);
    std::string head, row;
    std::getline(in, head);
    std::getline(in, row);
    auto at = head.find(header);
    REQUIRE(at != std::string::npos);
    auto end = row.find_first_of(' ', at);
    return row.substr(at, end - at);
}

}  // namespace

TEST_CASE("cli tables: peering list, stats and top show the connection's name", "[cli]") {
    World w;
    auto vpc1 = first_line(run_cli_on(w, {"vpc", "create", "--cidr", "172.16.0.0/12"}).out);
    auto vpc2 = first_line(run_cli_on(w, {"vpc", "create", "--cidr", "192.168.0.0/16"}).out);
    auto pcc = first_line(run_cli_on(w, {"peering", "create", "--vpc", vpc1, "--peer-vpc", vpc2, "--name", "to-shop"}).out);
    REQUIRE(pcc.rfind("pcc-", 0) == 0);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"peering", "list"}, {"stats"}, {"stats", pcc}, {"top", "--interval", "1ms", "--count", "1"}}) {
        auto table = run_cli_on(w, args).out;
        INFO(table);
        CHECK(cell(table, "NAME") == "to-shop");
    }
    auto stats = nlohmann::json::parse(run_cli_on(w, {"stats", "--json"}).out);
    CHECK(stats["Links"][0]["Name"] == "to-shop");
    auto top = nlohmann::json::parse(run_cli_on(w, {"top", "--interval", "1ms", "--count", "1", "--json"}).out);
    CHECK(top[0]["Name"] == "to-shop");
}
