// Among hosts, a peering is Activated once every host that carries it has programmed it.
#include <catch2/catch.hpp>

#include "controller/rollout.h"

using namespace xpeer;

namespace {

VSwitch vsw(const std::string& id, const std::string& vpc, std::optional<std::string> host) {
    VSwitch v;
    v.id = id;
    v.vpc_id = vpc;
    v.host = std::move(host);
    return v;
}

Peering peering(const std::string& vpc, const std::string& peer) {
    Peering p;
    p.id = "pcc-1";
    p.vpc_id = vpc;
    p.peer_vpc_id = peer;
    return p;
}

}  // namespace

TEST_CASE("a peering's carriers are the hosts of either VPC's vSwitches, each once", "[rollout]") {
    Snapshot s;
    s.vswitches = {vsw("vsw-1", "vpc-a", "h2"), vsw("vsw-2", "vpc-a", "h1"), vsw("vsw-3", "vpc-b", "h2"), vsw("vsw-4", "vpc-c", "h3"),
                   vsw("vsw-5", "vpc-b", std::nullopt)};
    CHECK(rollout::carriers(s, peering("vpc-a", "vpc-b")) == std::vector<std::string>{"h1", "h2"});
    CHECK(rollout::carriers(s, peering("vpc-c", "vpc-b")) == std::vector<std::string>{"h2", "h3"});
    CHECK(rollout::carriers(s, peering("vpc-x", "vpc-y")).empty());  // no vSwitch anywhere: nothing to wait for
}

TEST_CASE("a carrier lags until it reports the revision, alive or not", "[rollout]") {
    const std::vector<std::string> carriers{"h1", "h2", "h3", "h4"};
    std::map<std::string, HostPresence> presence;
    presence["h1"] = HostPresence{true, 45, 1};
    presence["h2"] = HostPresence{true, 44, 2};
    presence["h3"] = HostPresence{false, 50, 3};  // lease gone, but it had programmed it
    // h4 never reported
    const auto lags = rollout::lagging(carriers, presence, 45);
    REQUIRE(lags.size() == 2);
    CHECK(lags[0].host == "h2");
    CHECK(lags[0].programmed == 44);
    CHECK(lags[1].host == "h4");
    CHECK_FALSE(lags[1].alive);
    CHECK(rollout::describe(lags, 45) == "h2 (programmed revision 44 of 45), h4 (lease expired, never programmed)");
    CHECK(rollout::lagging(carriers, presence, 44).size() == 1);
    CHECK(rollout::lagging({}, presence, 1000).empty());
}
