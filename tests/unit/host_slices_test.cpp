// A commit writes the slice key of each host whose kernel holds something it changes (the hosts
// that carry the VPCs it touches and their peers), and of no other: an agent watches its own key
// only. The rule alone, then commands on a real etcd with three hosts.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "etcd_server.h"
#include "store/etcd/etcd_client.h"
#include "store/etcd/keys.h"
#include "store/etcd/slices.h"
#include "world.h"

using namespace xpeer;
using kernel_lag::RowChange;
using nlohmann::json;

namespace {

using Hosts = std::set<std::string>;

// vpc-a on h1, vpc-b on h2 (peered with vpc-a), vpc-c on h3; vsw-c is on h3.
slices::Lookup three_hosts() {
    slices::Lookup l;
    l.host_of_vswitch = [](const std::string& id) -> std::optional<std::string> {
        if (id == "vsw-c") return "h3";
        return std::nullopt;
    };
    l.peers_of = [](const std::string& vpc) {
        if (vpc == "vpc-a") return Hosts{"vpc-b"};
        if (vpc == "vpc-b") return Hosts{"vpc-a"};
        return Hosts{};
    };
    l.carriers_of = [](const std::string& vpc) {
        if (vpc == "vpc-a") return Hosts{"h1"};
        if (vpc == "vpc-b") return Hosts{"h2"};
        if (vpc == "vpc-c") return Hosts{"h3"};
        return Hosts{};
    };
    return l;
}

slices::Concerned of(const std::vector<RowChange>& rows) { return slices::concerned(rows, three_hosts()); }

RowChange added(const std::string& table, json now) { return {table, json::array({1}), std::nullopt, std::move(now)}; }

}  // namespace

TEST_CASE("a route concerns the carriers of its VPC and of the VPC's peers", "[slices]") {
    const auto c = of({added("routes", {{"vpc_id", "vpc-a"}, {"destination", "10.2.0.0/16"}})});
    CHECK_FALSE(c.every_host);
    CHECK(c.hosts == Hosts{"h1", "h2"});
    CHECK(of({added("routes", {{"vpc_id", "vpc-c"}, {"destination", "10.9.0.0/16"}})}).hosts == Hosts{"h3"});
}

TEST_CASE("a connection concerns both VPCs' carriers and their peers'", "[slices]") {
    const auto c = of({added("peerings", {{"vpc_id", "vpc-c"}, {"peer_vpc_id", "vpc-b"}, {"status", "Updating"}})});
    CHECK(c.hosts == Hosts{"h1", "h2", "h3"});  // h1: vpc-b's packets from vpc-a look up its table second
}

TEST_CASE("a vSwitch concerns the host it leaves as well as its VPC's", "[slices]") {
    RowChange gone{"vswitches", json::array({"vsw-x"}), json{{"vpc_id", "vpc-c"}, {"host", "h4"}}, std::nullopt};
    CHECK(of({gone}).hosts == Hosts{"h3", "h4"});
}

TEST_CASE("an instance concerns its vSwitch's host only, even one deleted with it", "[slices]") {
    CHECK(of({added("instances", {{"vswitch_id", "vsw-c"}})}).hosts == Hosts{"h3"});
    RowChange vsw{"vswitches", json::array({"vsw-y"}), json{{"vpc_id", "vpc-c"}, {"host", "h5"}}, std::nullopt};
    RowChange inst{"instances", json::array({"i-1"}), json{{"vswitch_id", "vsw-y"}}, std::nullopt};
    CHECK(of({inst, vsw}).hosts == Hosts{"h3", "h5"});
    CHECK(of({added("instances", {{"vswitch_id", "vsw-unknown"}})}).every_host);
}

TEST_CASE("rows no kernel holds concern no host, and hosts and shared settings every one", "[slices]") {
    const auto none = of({added("vpcs", {{"id", "vpc-d"}}), added("events", {{"resource", "vpc-d"}}), added("quotas", json::object()),
                          added("usage", json::object()), added("meta", json::object())});
    CHECK_FALSE(none.every_host);
    CHECK(none.hosts.empty());
    CHECK(of({added("hosts", {{"name", "h9"}})}).every_host);
    CHECK(of({added("settings", {{"key", "anything"}})}).every_host);
    CHECK(of({added("a_table_of_a_newer_schema", json::object())}).every_host);
    CHECK(of({added("routes", {{"destination", "10.0.0.0/8"}})}).every_host);  // a row this build cannot read
}

TEST_CASE("commands write the slice keys of the hosts they concern, and of no other", "[slices]") {
    TempDir dir;
    testing::Etcd server(dir);
    testing::World world;
    const auto as = [&](AccountId account, const std::string& host = "") {
        Config c = world.config(account, account == 1);
        c.etcd = server.url();
        c.rollout_wait_ms = 0;
        c.host = host;
        return world.with(c);
    };
    etcd::Client client({server.url()});
    const etcd::Keys keys;
    const auto commit = [&] { return client.range(keys.commit(), {}).kvs.front().mod_revision; };
    // The hosts whose slice key the last commit wrote; "*": the key of every host's.
    const auto sliced = [&] {
        const int64_t revision = commit();
        Hosts out;
        if (auto every = client.range(keys.every_slice(), {}); !every.kvs.empty() && every.kvs.front().mod_revision == revision)
            out.insert("*");
        for (const char* h : {"h1", "h2", "h3", "h4"}) {
            auto r = client.range(keys.host_slice(h), {});
            if (!r.kvs.empty() && r.kvs.front().mod_revision == revision) out.insert(h);
        }
        return out;
    };
    std::vector<std::unique_ptr<testing::World>> machines;  // each host's agent binds a replica of its own
    const auto register_host = [&](int i) {
        machines.push_back(std::make_unique<testing::World>());
        Config c = machines.back()->config(1, true);
        c.etcd = server.url();
        machines.back()->with(c)->register_host(
            {"h" + std::to_string(i), "cn-hangzhou", IpAddr::parse("192.0.2." + std::to_string(i)), "ul0"});
    };
    for (int i = 1; i <= 3; ++i) register_host(i);
    CHECK(sliced() == Hosts{"*"});  // a new host: every tunnel table, one key for all

    constexpr AccountId kTenant = 1001;
    const Vpc a = as(kTenant)->create_vpc({"10.1.0.0/16"});
    CHECK(sliced().empty());
    const Vpc b = as(kTenant)->create_vpc({"10.2.0.0/16"});
    const Vpc c = as(kTenant)->create_vpc({"10.3.0.0/16"});
    as(kTenant, "h1")->create_vswitch({a.id, "10.1.1.0/24"});
    CHECK(sliced() == Hosts{"h1"});
    as(kTenant, "h2")->create_vswitch({b.id, "10.2.1.0/24"});
    const VSwitch vc = as(kTenant, "h3")->create_vswitch({c.id, "10.3.1.0/24"});
    CHECK(sliced() == Hosts{"h3"});
    const Peering ab = as(kTenant)->create_peering({a.id, b.id});
    CHECK(sliced() == Hosts{"h1", "h2"});
    // Its carriers report it programmed (their agents' part): Activated.
    for (const char* h : {"h1", "h2"}) client.put(keys.host_programmed(h), json{{"revision", commit()}, {"time", 0}}.dump());
    as(1)->settle_rollouts();
    REQUIRE(as(kTenant)->show_peering(ab.id).status == PeeringStatus::Activated);
    CHECK(sliced() == Hosts{"h1", "h2"});
    as(kTenant)->add_route({a.id, "10.2.0.0/16", ab.id});
    CHECK(sliced() == Hosts{"h1", "h2"});
    const Instance i = as(kTenant)->create_instance({vc.id});
    CHECK(sliced() == Hosts{"h3"});
    const Peering bc = as(kTenant)->create_peering({b.id, c.id});
    CHECK(sliced() == Hosts{"h1", "h2", "h3"});
    as(kTenant)->delete_peering(bc.id, false);
    CHECK(sliced() == Hosts{"h1", "h2", "h3"});
    as(kTenant)->delete_instance(i.id);
    as(kTenant)->delete_vswitch(vc.id);
    CHECK(sliced() == Hosts{"h3"});  // vpc-c: no vSwitch left, no live peer
    register_host(4);
    CHECK(sliced() == Hosts{"*"});
}
