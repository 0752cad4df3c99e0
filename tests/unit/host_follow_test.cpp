// An agent follows what other hosts commit by the map entries it changes: each change of routes
// and connections, and of vSwitches on other hosts, reaches its kernel as a delta that leaves
// the maps exactly as a whole rebuild would; its own vSwitches, and a history compacted away,
// rebuild everything. Two hosts' controllers on one real etcd, each with a fake kernel.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "controller/quotas.h"
#include "etcd_server.h"
#include "store/etcd/etcd_client.h"
#include "store/etcd/keys.h"
#include "world.h"

using namespace xpeer;
using xpeer::testing::World;

namespace {

constexpr AccountId kTenant = 1001;

struct Machine {
    World world;
    std::string name;
    Config config(const std::string& etcd, AccountId account, bool is_operator = false) const {
        Config c = world.config(account, is_operator);
        c.etcd = etcd;
        c.rollout_wait_ms = 0;
        return c;
    }
};

// The kernel's applies since the last look: whole rebuilds and deltas.
struct Applies {
    size_t full = 0, delta = 0;
};

Applies since(testing::FakeKernel& k, Applies& last) {
    Applies d{k.full_applies - last.full, k.delta_applies - last.delta};
    last = {k.full_applies, k.delta_applies};
    return d;
}

}  // namespace

TEST_CASE("an agent follows other hosts' routes and connections by their map entries alone", "[follow]") {
    TempDir dir;
    testing::Etcd server(dir);
    Machine h1{{}, "h1"}, h2{{}, "h2"};
    auto agent1 = h1.world.with(h1.config(server.url(), 1, true));
    auto agent2 = h2.world.with(h2.config(server.url(), 1, true));
    agent1->register_host({"h1", "cn-hangzhou", IpAddr::parse("192.0.2.1"), "ul0"});
    agent2->register_host({"h2", "cn-hangzhou", IpAddr::parse("192.0.2.2"), "ul0"});
    agent1->follow_store();

    // A tenant's commands on h1: a VPC there, one on h2, peered.
    auto tenant = [&](const std::string& host = "") {
        Config c = h1.config(server.url(), kTenant);
        c.host = host;
        return h1.world.with(c);
    };
    const Vpc a = tenant()->create_vpc({"10.1.0.0/16"});
    const Vpc b = tenant()->create_vpc({"10.2.0.0/16"});
    tenant("h1")->create_vswitch({a.id, "10.1.1.0/24"});
    tenant("h2")->create_vswitch({b.id, "10.2.1.0/24"});
    const Peering pcc = tenant()->create_peering({a.id, b.id});
    CHECK(pcc.status == PeeringStatus::Updating);

    Applies seen;
    since(*h2.world.kernel, seen);
    agent2->follow_store();  // its own vSwitch: its link made, its entries written
    CHECK(since(*h2.world.kernel, seen).full == 0);
    CHECK(agent2->check().empty());
    etcd::Client client({server.url()});
    const etcd::Keys keys;
    // Both hosts report the newest revision programmed (their agents' part), and h2's agent
    // settles the connection (Updating -> Activated).
    const auto programmed_everywhere = [&] {
        const int64_t revision = agent2->refresh_store();
        for (const char* host : {"h1", "h2"})
            client.put(keys.host_programmed(host), nlohmann::json{{"revision", revision}, {"time", 0}}.dump());
        agent2->settle_rollouts();
        REQUIRE(tenant()->show_peering(pcc.id).status == PeeringStatus::Activated);
        since(*h2.world.kernel, seen);
    };
    programmed_everywhere();

    // Each step on h1, then h2's agent follows: a delta, or nothing, never a rebuild.
    const auto follows_by_delta = [&](const char* what, bool changes_maps) {
        INFO(what);
        agent2->follow_store();
        const Applies d = since(*h2.world.kernel, seen);
        CHECK(d.full == 0);
        CHECK(d.delta == (changes_maps ? 1u : 0u));
        CHECK(h2.world.kernel->covers_missed == 0);
        std::string differences;
        for (const auto& diff : agent2->check()) differences += diff.object + ": " + diff.problem + "\n";
        CHECK(differences == "");  // as a whole rebuild leaves them
    };
    const RouteEntry to_b = tenant()->add_route({a.id, "10.2.0.0/16", pcc.id});
    follows_by_delta("a route in a VPC that is not here", true);
    tenant()->add_route({b.id, "10.1.0.0/16", pcc.id});
    tenant()->add_route({b.id, "10.1.1.0/24", pcc.id});
    follows_by_delta("two routes in a VPC here", true);
    tenant()->modify_peering(pcc.id, {.bandwidth_mbps = 200});
    follows_by_delta("a connection's bandwidth", true);
    programmed_everywhere();
    tenant("h1")->create_vswitch({b.id, "10.2.2.0/24"});
    follows_by_delta("a vSwitch on another host", true);
    tenant()->delete_route(to_b.id);
    follows_by_delta("a route deleted", true);
    agent1->set_quota(kTenant, quotas::kPerAccountRegion, 30);
    follows_by_delta("a quota", false);

    SECTION("a vSwitch of its own: its link, its addresses, then gone, each by a delta") {
        const VSwitch mine = tenant("h2")->create_vswitch({a.id, "10.1.2.0/24"});
        follows_by_delta("a vSwitch here, in a VPC new here", true);
        CHECK(h2.world.kernel->calls.back() == "create_vswitch " + mine.id);
        const Instance i = tenant()->create_instance({mine.id});
        follows_by_delta("an instance here", false);
        CHECK(h2.world.kernel->calls.back() == "add_instance " + i.id);
        tenant()->delete_instance(i.id);
        tenant()->delete_vswitch(mine.id);
        follows_by_delta("the vSwitch here deleted", true);
        CHECK(h2.world.kernel->calls.back() == "delete_vswitch " + mine.id);
    }

    SECTION("a link made again under another ifindex: every entry follows") {
        const VSwitch mine = tenant("h2")->create_vswitch({a.id, "10.1.2.0/24"});
        follows_by_delta("a vSwitch here", true);
        h2.world.kernel->links.erase(mine.id);  // gone behind xpeer's back: the next look makes it again
        tenant()->create_instance({mine.id});
        agent2->follow_store();
        CHECK(since(*h2.world.kernel, seen).full == 1);
        CHECK(agent2->check().empty());
    }

    SECTION("history compacted away: everything follows") {
        tenant()->add_route({a.id, "10.2.0.0/16", pcc.id});
        tenant()->add_route({a.id, "10.2.9.0/24", pcc.id});
        testing::compact(server, client.range(keys.commit(), {}).revision);  // the first route's revision is gone
        agent2->follow_store();
        CHECK(since(*h2.world.kernel, seen).full == 1);
        CHECK(agent2->check().empty());
    }

    SECTION("a deleted connection takes its routes' entries with it") {
        tenant()->delete_peering(pcc.id, true);
        follows_by_delta("a connection deleted with its routes", true);
        CHECK_FALSE(h2.world.kernel->active(pcc.slot));
    }
}

TEST_CASE("a host's underlay bandwidth is its own: in its maps, never in etcd, and 0 polices nothing", "[follow]") {
    TempDir dir;
    testing::Etcd server(dir);
    Machine h1{{}, "h1"}, h2{{}, "h2"};
    auto agent1 = h1.world.with(h1.config(server.url(), 1, true));
    auto agent2 = h2.world.with(h2.config(server.url(), 1, true));
    agent1->register_host({"h1", "cn-hangzhou", IpAddr::parse("192.0.2.1"), "ul0", 900});
    agent2->register_host({"h2", "cn-hangzhou", IpAddr::parse("192.0.2.2"), "ul0"});
    agent1->follow_store();
    agent2->follow_store();
    REQUIRE(h1.world.kernel->maps.underlay_qos.size() == 1);
    CHECK(h1.world.kernel->maps.underlay_qos.at(0).rate_bytes == 900 * 125'000);
    CHECK(h2.world.kernel->maps.underlay_qos.empty());
    etcd::Client client({server.url()});
    int64_t revision = 0;
    for (const auto& kv : client.range_prefix("/", &revision)) {
        INFO(kv.key);
        CHECK((kv.key + kv.value).find("underlay_bandwidth") == std::string::npos);
    }

    agent1->register_host({"h1", "cn-hangzhou", IpAddr::parse("192.0.2.1"), "ul0"});  // started again without the flag
    CHECK(h1.world.kernel->maps.underlay_qos.empty());
    CHECK(agent1->check().empty());
}
