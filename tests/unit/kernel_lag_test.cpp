// Which map entries another host's rows can change here, and which rows need kernel objects made.
#include <catch2/catch.hpp>

#include "store/etcd/kernel_lag.h"

using namespace xpeer;
using kernel_lag::RowChange;
using nlohmann::json;

namespace {

RowChange put(const std::string& table, json key, json now) { return {table, std::move(key), std::nullopt, std::move(now)}; }

json vswitch(const std::string& vpc, const std::string& cidr, json host) {
    return {{"vpc_id", vpc}, {"cidr", cidr}, {"ipv6_cidr", nullptr}, {"host", std::move(host)}};
}

std::optional<std::string> hosts_of(const std::string& vsw) {
    if (vsw == "vsw-here") return "h2";
    if (vsw == "vsw-there") return "h1";
    return std::nullopt;
}

std::optional<KernelLag> on_h2(const std::vector<RowChange>& changes) { return kernel_lag::of(changes, "h2", hosts_of); }

}  // namespace

TEST_CASE("a route's change names its destination before and after, and no link", "[lag]") {
    RowChange moved{"routes", json::array({7}), json{{"vpc_id", "vpc-a"}, {"destination", "10.2.0.0/16"}},
                    json{{"vpc_id", "vpc-a"}, {"destination", "10.3.0.0/16"}}};
    const auto lag = on_h2({moved});
    REQUIRE(lag);
    CHECK(lag->maps.prefixes.at("vpc-a") == std::set<Cidr>{Cidr::parse("10.2.0.0/16"), Cidr::parse("10.3.0.0/16")});
    CHECK(lag->maps.peerings.empty());
    CHECK(lag->vswitches_here.empty());
}

TEST_CASE("a connection names its slot, and rows no entry is made of name nothing", "[lag]") {
    const auto lag =
        on_h2({put("peerings", json::array({"pcc-1"}), json{{"status", "Activated"}}), put("events", json::array({12}), json::object()),
               put("usage", json::array({"pcc-1", 0, 5}), json::object()), put("vpcs", json::array({3}), json{{"id", "vpc-b"}})});
    REQUIRE(lag);
    CHECK(lag->maps.peerings == std::set<std::string>{"pcc-1"});
    CHECK(lag->maps.prefixes.empty());
    CHECK(lag->vswitches_here.empty());
}

TEST_CASE("a vSwitch is its port and its subnet's routes, and its link where it lives", "[lag]") {
    const auto there = on_h2({put("vswitches", json::array({"vsw-x"}), vswitch("vpc-b", "10.2.2.0/24", "h1"))});
    REQUIRE(there);
    CHECK(there->maps.vswitches == std::set<std::string>{"vsw-x"});
    CHECK(there->maps.prefixes.at("vpc-b").contains(Cidr::parse("10.2.2.0/24")));
    CHECK(there->maps.prefixes.at("vpc-b").contains(Cidr::parse("10.2.2.1/32")));  // its gateway, reserved
    CHECK(there->vswitches_here.empty());
    const auto here = on_h2({put("vswitches", json::array({"vsw-y"}), vswitch("vpc-b", "10.2.3.0/24", "h2"))});
    REQUIRE(here);
    CHECK(here->vswitches_here == std::set<std::string>{"vsw-y"});
    CHECK(here->maps.prefixes.at("vpc-b").contains(Cidr::parse("10.2.3.0/24")));
    // moved here from another host: its link is made here now
    const auto moved =
        on_h2({{"vswitches", json::array({"vsw-m"}), vswitch("vpc-b", "10.2.5.0/24", "h1"), vswitch("vpc-b", "10.2.5.0/24", "h2")}});
    REQUIRE(moved);
    CHECK(moved->vswitches_here == std::set<std::string>{"vsw-m"});
    // deleted here: its port row goes with it, and its link
    const auto gone = on_h2({{"vswitch_ports", json::array({"vsw-g"}), json{{"ifindex", 9}}, std::nullopt}});
    REQUIRE(gone);
    CHECK(gone->vswitches_here == std::set<std::string>{"vsw-g"});
    CHECK(gone->maps.vswitches == std::set<std::string>{"vsw-g"});
    CHECK_FALSE(on_h2({put("vswitches", json::array({"vsw-z"}), vswitch("vpc-b", "10.2.4.0/24", nullptr))}));  // one machine's
}

TEST_CASE("an instance changes its vSwitch's addresses where it lives, and no map entry", "[lag]") {
    const auto there = on_h2({put("instances", json::array({"i-1"}), json{{"vswitch_id", "vsw-there"}})});
    REQUIRE(there);
    CHECK(there->vswitches_here.empty());
    CHECK(there->maps.empty());
    const auto here = on_h2({put("instances", json::array({"i-2"}), json{{"vswitch_id", "vsw-here"}})});
    REQUIRE(here);
    CHECK(here->vswitches_here == std::set<std::string>{"vsw-here"});
    CHECK(here->maps.empty());
    CHECK_FALSE(on_h2({put("instances", json::array({"i-3"}), json{{"vswitch_id", "vsw-gone"}})}));
}

TEST_CASE("hosts, shared settings, unknown tables and unreadable rows rebuild everything", "[lag]") {
    CHECK_FALSE(on_h2({put("hosts", json::array({"h3"}), json{{"region", "cn-hangzhou"}})}));
    CHECK_FALSE(on_h2({put("settings", json::array({"store_id"}), json{{"value", "x"}})}));
    CHECK_FALSE(on_h2({put("security_groups", json::array({1}), json::object())}));
    CHECK_FALSE(on_h2({put("routes", json::array({8}), json{{"vpc_id", "vpc-a"}, {"destination", "10.2.0.1/16"}})}));
    CHECK_FALSE(on_h2({put("routes", json::array({9}), json{{"vpc_id", "vpc-a"}})}));
    CHECK_FALSE(kernel_lag::of({put("events", json::array({1}), json::object())}, "", hosts_of));  // one machine: no host bound
}
