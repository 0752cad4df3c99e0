// A connection's bandwidth shared among the hosts that send on it: the split (max-min fair by
// demand, a floor each, the equal part for a host not heard from), the demand each host measures
// and publishes, and agents on two hosts sharing one board, with their routers' policers modelled.
#include <catch2/catch.hpp>
#include <numeric>
#include <random>
#include <stdexcept>

#include "controller/bandwidth_sharer.h"
#include "fake_dataplane.h"
#include "store/etcd/host_keys.h"
#include "telemetry/bandwidth_share.h"

using namespace xpeer;
using namespace xpeer::bandwidth_share;

namespace {

uint64_t sum(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), uint64_t{0}); }

VSwitch vswitch(const std::string& id, const std::string& vpc, std::optional<std::string> host) {
    VSwitch v;
    v.id = id;
    v.vpc_id = vpc;
    v.host = std::move(host);
    return v;
}

// vpc-a on h1 and h2, vpc-b on h3; pcc-1 between them, Activated, 40 Mbit/s (5,000,000 B/s).
Peering limited(int64_t mbps = 40, PeeringStatus status = PeeringStatus::Activated) {
    Peering p;
    p.id = "pcc-1";
    p.slot = 7;
    p.vpc_id = "vpc-a";
    p.peer_vpc_id = "vpc-b";
    p.bandwidth_mbps = mbps;
    p.status = status;
    return p;
}
std::vector<VSwitch> a_on_two_hosts() {
    return {vswitch("vsw-1", "vpc-a", "h1"), vswitch("vsw-2", "vpc-a", "h2"), vswitch("vsw-3", "vpc-b", "h3")};
}

}  // namespace

TEST_CASE("a shared link: the sending VPC has vSwitches here and on another host", "[bandwidth_share]") {
    const auto vsw = a_on_two_hosts();
    auto links = shared_links({limited()}, vsw, "h1");
    REQUIRE(links.size() == 1);  // a -> b only: h1 carries no vSwitch of vpc-b
    CHECK(links[0].link == LinkKey{"pcc-1", Direction::AToB});
    CHECK(links[0].slot == 7);
    CHECK(links[0].limit == 5'000'000);
    CHECK(links[0].hosts == std::vector<std::string>{"h1", "h2"});
    CHECK(shared_links({limited()}, vsw, "h3").empty());                                  // vpc-b lives on h3 alone
    CHECK(shared_links({limited(-1)}, vsw, "h1").empty());                                // unlimited: nothing to share
    CHECK(shared_links({limited(40, PeeringStatus::PeerAccepting)}, vsw, "h1").empty());  // forwards nothing yet
    CHECK(shared_links({limited(40, PeeringStatus::Updating)}, vsw, "h1").size() == 1);   // forwards while hosts program it
    const std::vector<VSwitch> both_on_h1{vswitch("vsw-1", "vpc-a", "h1"), vswitch("vsw-2", "vpc-a", "h1"),
                                          vswitch("vsw-3", "vpc-b", "h3")};
    CHECK(shared_links({limited()}, both_on_h1, "h1").empty());  // two vSwitches, one host
    const std::vector<VSwitch> one_machine{vswitch("vsw-1", "vpc-a", std::nullopt), vswitch("vsw-3", "vpc-b", std::nullopt)};
    CHECK(shared_links({limited()}, one_machine, "").empty());
}

TEST_CASE("offered: what passed, and the policer's drops at the mean size of what passed", "[bandwidth_share]") {
    LinkCounters d;
    d.packets = 1000;
    d.bytes = 1'000'000;
    d.drop_policer = 500;
    d.drop_no_route = 300;  // not offered to the policer
    CHECK(offered(d, 2.0) == Approx(750'000));
    LinkCounters all_dropped;
    all_dropped.drop_policer = 10;
    CHECK(offered(all_dropped, 1.0) == Approx(15'000));
    CHECK(offered(d, 0) == 0);
    CHECK(smooth(std::nullopt, 100) == 100);
    CHECK(smooth(100, 300) == 300);  // up at once
    CHECK(smooth(300, 100) == 150);  // down by three quarters of the difference
    CHECK(claimed(200, false) == 200);
    CHECK(claimed(200, true) == 200 * kPolicedBoost);
}

TEST_CASE("split: max-min fair by demand, a floor each, the parts summing to the limit", "[bandwidth_share]") {
    const uint64_t limit = 3'200'000;
    SECTION("both above an even split: halves") {
        auto parts = split(limit, {{"h1", 9e6}, {"h2", 5e6}});
        CHECK(parts == std::vector<uint64_t>{1'600'000, 1'600'000});
    }
    SECTION("one asks less than half: it gets what it asks and its floor, the other the rest") {
        auto parts = split(limit, {{"h1", 9e6}, {"h2", 400'000}});
        const double floor = limit * kFloorShare / 2;
        CHECK(parts[1] == static_cast<uint64_t>(floor + 400'000));
        CHECK(sum(parts) == limit);
    }
    SECTION("one idle: the busy one gets all but the idle one's floor") {
        auto parts = split(limit, {{"h1", 9e6}, {"h2", 0.0}});
        CHECK(parts[1] == static_cast<uint64_t>(limit * kFloorShare / 2));
        CHECK(parts[0] == limit - parts[1]);
    }
    SECTION("nobody asks for all of it: the spare split evenly") {
        auto parts = split(limit, {{"h1", 1e6}, {"h2", 0.0}});
        CHECK(parts[0] - parts[1] == 1'000'000);
        CHECK(sum(parts) == limit);
    }
    SECTION("a host not heard from keeps the equal part; the others share the rest") {
        auto parts = split(3'000'000, {{"h1", 9e6}, {"h2", std::nullopt}, {"h3", 9e6}});
        CHECK(parts == std::vector<uint64_t>{1'000'000, 1'000'000, 1'000'000});
        parts = split(3'000'000, {{"h1", 9e6}, {"h2", std::nullopt}, {"h3", 0.0}});
        CHECK(parts[1] == 1'000'000);
        CHECK(parts[0] + parts[2] == 2'000'000);
        CHECK(parts[2] == static_cast<uint64_t>(2'000'000 * kFloorShare / 2));
    }
    SECTION("no host heard from: the equal parts") {
        CHECK(split(900, {{"h1", std::nullopt}, {"h2", std::nullopt}, {"h3", std::nullopt}}) == std::vector<uint64_t>{300, 300, 300});
    }
    SECTION("a negative demand counts as none") {
        CHECK(split(limit, {{"h1", -5e6}, {"h2", 9e6}}) == split(limit, {{"h1", 0.0}, {"h2", 9e6}}));
    }
    SECTION("any demands: within the limit, each at least its floor, max-min fair") {
        std::mt19937 rng(19);
        std::uniform_real_distribution<double> demand(0, 4e6);
        for (int round = 0; round < 500; ++round) {
            const size_t n = 2 + rng() % 6;
            std::vector<Claim> claims;
            for (size_t i = 0; i < n; ++i) claims.push_back({"h" + std::to_string(i), demand(rng)});
            const auto parts = split(limit, claims);
            REQUIRE(parts.size() == n);
            CHECK(sum(parts) <= limit);
            CHECK(sum(parts) >= limit - n);  // rounded down, each
            const double floor = limit * kFloorShare / static_cast<double>(n);
            double unmet_part = -1;  // every host whose demand is not met gets the same part
            for (size_t i = 0; i < n; ++i) {
                CHECK(parts[i] + 1 >= floor);
                if (parts[i] + 1 >= *claims[i].demand + floor) continue;  // met
                if (unmet_part < 0) unmet_part = static_cast<double>(parts[i]);
                CHECK(std::abs(static_cast<double>(parts[i]) - unmet_part) <= 1);
            }
        }
    }
}

TEST_CASE("claims: a publication holds for its lease, and a host that published without the link asks nothing", "[bandwidth_share]") {
    const SharedLink link{{"pcc-1", Direction::AToB}, 7, 5'000'000, {"h1", "h2", "h3"}};
    std::map<std::string, HostDemand> heard;
    heard["h1"] = HostDemand{10'000, 10'000, 1000, {{{"pcc-1", Direction::AToB}, 123.0}}};
    heard["h2"] = HostDemand{10'000, 10'000, 1000, {{{"pcc-1", Direction::BToA}, 456.0}}};
    auto c = claims(link, heard, 19'999);
    REQUIRE(c.size() == 3);
    CHECK(c[0].demand == 123.0);
    CHECK(c[1].demand == 0.0);
    CHECK_FALSE(c[2].demand);  // never published
    auto part = part_of(link, c, "h2");
    CHECK(part.rate > part.fallback);  // h2 asks nothing, and gets its floor and a third of the spare
    CHECK(part.fallback == static_cast<uint64_t>(5'000'000 * kFloorShare / 3));  // were the others to ask for all of it
    c = claims(link, heard, 20'000);
    CHECK_FALSE(c[0].demand);  // lapsed
    part = part_of(link, c, "h2");
    CHECK(part.rate == 5'000'000 / 3);  // nobody heard from: the equal part
    CHECK(lease_ms(1000) == 10'000);
    CHECK(lease_ms(5000) == 15'000);
}

namespace {

// The agents of h1 and h2, one board between them, their routers' policers modelled: each host
// sends what it offers up to the part its router polices at, the rest dropped, in packets of
// 1,000 bytes. A host's wall clock may be off; its agent may be stopped, or unable to read.
struct TwoHosts {
    std::map<std::string, HostDemand> board;
    std::set<std::string> cannot_read;
    std::string reading;  // the host whose agent runs now
    BandwidthSharer::Board io{[this](const std::set<std::string>& hosts) {
                                  if (cannot_read.contains(reading)) throw std::runtime_error("etcd: no member answered");
                                  std::map<std::string, HostDemand> out;
                                  for (const auto& h : hosts)
                                      if (board.contains(h)) out[h] = board.at(h);
                                  return out;
                              },
                              [this](const std::string& host, const HostDemand& d) {
                                  if (cannot_publish.contains(host)) {
                                      if (puts_reach_etcd) board[host] = d;
                                      throw std::runtime_error("etcd: Store.Unknown");
                                  }
                                  board[host] = d;
                              }};
    std::set<std::string> cannot_publish;
    bool puts_reach_etcd = false;                            // a put that fails has reached etcd all the same (a timeout)
    std::map<std::string, int> every{{"h1", 1}, {"h2", 1}};  // an agent's interval, in seconds
    int seconds = 0;
    std::map<std::string, std::shared_ptr<testing::FakeKernel>> kernels{{"h1", std::make_shared<testing::FakeKernel>()},
                                                                        {"h2", std::make_shared<testing::FakeKernel>()}};
    std::map<std::string, BandwidthSharer> agents{{"h1", {}}, {"h2", {}}};
    std::map<std::string, int64_t> skew_ms{{"h1", 0}, {"h2", 0}};
    std::map<std::string, double> sent;  // bytes per second in the last second
    int64_t wall_ms = 1'000'000;
    std::chrono::steady_clock::time_point steady{std::chrono::seconds(5000)};

    // The part h's router polices pcc-1 a -> b at now (the connection's rate with none).
    double part(const std::string& h) const {
        auto it = kernels.at(h)->link_shares.find({7, Direction::AToB});
        if (it == kernels.at(h)->link_shares.end()) return 5'000'000;
        return static_cast<double>(steady < it->second.until ? it->second.rate : it->second.fallback);
    }
    // A tenth of a second: each host sends what it offers (hosts not in `offers` send nothing);
    // at a whole second, the agents in `running` run, in that order.
    void tick(const std::map<std::string, double>& offers, const std::vector<std::string>& running, int tenth) {
        wall_ms += 100;
        steady += std::chrono::milliseconds(100);
        for (const auto& h : {"h1", "h2"}) {
            const double offer = offers.contains(h) ? offers.at(h) : 0;
            const double passed = std::min(offer, part(h));
            delta[h].packets += static_cast<uint64_t>(passed / 10'000);
            delta[h].bytes += static_cast<uint64_t>(passed / 10'000) * 1000;
            delta[h].drop_policer += static_cast<uint64_t>((offer - passed) / 10'000);
            agent_delta[h].packets += static_cast<uint64_t>(passed / 10'000);
            agent_delta[h].bytes += static_cast<uint64_t>(passed / 10'000) * 1000;
            agent_delta[h].drop_policer += static_cast<uint64_t>((offer - passed) / 10'000);
            sum_parts_max = std::max(sum_parts_max, part("h1") + part("h2"));
        }
        if (tenth != 9) return;
        ++seconds;
        for (const auto& h : running) {
            if (seconds % every.at(h) != 0) continue;
            LinkSample s{limited(), Direction::AToB};
            s.delta = agent_delta[h];
            s.seconds = every.at(h);
            agent_delta[h] = {};
            reading = h;
            testing::FakeDataplane kernel(kernels.at(h));
            agents.at(h).run({h, {limited()}, a_on_two_hosts(), {s}, 1000 * every.at(h), {wall_ms + skew_ms.at(h), steady}}, io, kernel);
        }
        for (const auto& h : {"h1", "h2"}) {
            sent[h] = static_cast<double>(delta[h].bytes);
            delta[h] = {};
        }
    }
    // A second with both agents running (h1 first).
    void second(const std::map<std::string, double>& offers, std::vector<std::string> running = {"h1", "h2"}) {
        for (int t = 0; t < 10; ++t) tick(offers, running, t);
    }
    double total() const { return sent.at("h1") + sent.at("h2"); }

    std::map<std::string, LinkCounters> delta, agent_delta;  // this second's, and since the agent last ran
    double sum_parts_max = 0;                                // the most both routers policed at together, at any tenth
};

}  // namespace

TEST_CASE("two agents share 40 Mbit/s by demand, and a stopped one falls back to its least part", "[bandwidth_share]") {
    TwoHosts w;
    const double limit = 5'000'000;
    for (int i = 0; i < 5; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});  // UDP at 64 Mbit/s from each
    CHECK(w.total() == Approx(limit).epsilon(0.01));
    CHECK(w.sent["h1"] == Approx(limit / 2).epsilon(0.01));

    for (int i = 0; i < 10; ++i) w.second({{"h1", 8e6}, {"h2", 1e6}});  // h2 asks for a fifth: it gets it, h1 the rest
    CHECK(w.sent["h2"] == Approx(1e6).epsilon(0.01));
    // Short of the limit by h2's floor and what its claim, published in steps, still holds.
    CHECK(w.total() <= limit);
    CHECK(w.total() >= limit * (1 - kFloorShare / 2 - 0.01));

    for (int i = 0; i < 10; ++i) w.second({{"h1", 8e6}});  // h2 idle: h1 gets all but h2's floor
    CHECK(w.sent["h1"] <= limit);
    CHECK(w.sent["h1"] >= limit * (1 - kFloorShare / 2 - 0.01));

    // A TCP sender on h2 offers a little above its part: its claim is raised while it is policed.
    int rounds = 0;
    w.sum_parts_max = 0;
    for (; rounds < 20 && w.sent["h2"] < 0.45 * limit; ++rounds) w.second({{"h1", 8e6}, {"h2", w.part("h2") * 1.2}});
    CHECK(rounds <= 10);  // from its floor to nearly half
    CHECK(w.sum_parts_max <= limit);

    // h2's agent stops while h2 is busy and h1 idle; then h1 wants all of it. h2's router falls
    // back to its least part before h1 counts the claim that grows its own.
    for (int i = 0; i < 10; ++i) w.second({{"h2", 8e6}});
    CHECK(w.part("h2") > 0.9 * limit);
    w.sum_parts_max = 0;
    for (int i = 0; i < 15; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}}, {"h1"});
    CHECK(w.sum_parts_max <= limit);
    CHECK(w.part("h2") == Approx(limit / 2).epsilon(0.001));  // the least h2 could be given, whatever h1 asks
    CHECK(w.total() == Approx(limit).epsilon(0.02));

    // h2's agent again, a new process: it resumes from its last publication and measures anew.
    w.agents.erase("h2");
    w.agents.emplace("h2", BandwidthSharer{});
    for (int i = 0; i < 5; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});
    CHECK(w.sum_parts_max <= limit);
    CHECK(w.total() == Approx(limit).epsilon(0.01));
    CHECK(w.sent["h2"] == Approx(limit / 2).epsilon(0.01));
}

TEST_CASE("a host that cannot read the others, or whose clock is off, never takes more than the rest", "[bandwidth_share]") {
    const double limit = 5'000'000;
    for (int64_t skew : {0, -3000, 3000}) {
        TwoHosts w;
        w.skew_ms["h2"] = skew;
        for (int i = 0; i < 10; ++i) w.second({{"h2", 8e6}});  // h2 busy, h1 idle
        w.cannot_read = {"h2"};                                // etcd lost to h2; h1 starts sending
        w.sum_parts_max = 0;
        for (int i = 0; i < 15; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});
        INFO("h2's clock " << skew << " ms off");
        CHECK(w.sum_parts_max <= limit);
        CHECK(w.part("h2") <= limit / 2);
        CHECK(w.total() >= 0.95 * limit);
        w.cannot_read.clear();
        for (int i = 0; i < 5; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});
        CHECK(w.sum_parts_max <= limit);
        CHECK(w.total() == Approx(limit).epsilon(0.01));
    }
}

TEST_CASE("puts that fail, whether or not they reached etcd, never leave more than the rest", "[bandwidth_share]") {
    const double limit = 5'000'000;
    for (bool reached : {false, true}) {
        TwoHosts w;
        w.puts_reach_etcd = reached;
        for (int i = 0; i < 10; ++i) w.second({{"h1", 8e6}});  // h1 busy, h2 idle
        w.cannot_publish = {"h2"};                             // h2 can read, not write; then it starts sending
        w.sum_parts_max = 0;
        for (int i = 0; i < 25; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});
        INFO("the failed puts " << (reached ? "reached" : "did not reach") << " etcd");
        CHECK(w.sum_parts_max <= limit);
        w.cannot_publish.clear();
        for (int i = 0; i < 8; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});
        CHECK(w.sum_parts_max <= limit);
        CHECK(w.total() == Approx(limit).epsilon(0.01));
    }
}

TEST_CASE("an agent back after its claim lapsed, and agents of different intervals, never leave more than the rest", "[bandwidth_share]") {
    const double limit = 5'000'000;
    TwoHosts w;
    for (int i = 0; i < 5; ++i) w.second({{"h1", 8e6}});
    for (int i = 0; i < 15; ++i) w.second({{"h1", 8e6}}, {"h1"});  // h2's agent stopped: its claim lapses
    w.agents.erase("h2");
    w.agents.emplace("h2", BandwidthSharer{});
    w.sum_parts_max = 0;
    for (int i = 0; i < 10; ++i) w.second({{"h1", 8e6}, {"h2", 8e6}});  // back, and busy at once
    CHECK(w.sum_parts_max <= limit);
    CHECK(w.total() == Approx(limit).epsilon(0.01));

    w.every["h2"] = 3;  // h2's agent runs every 3 s from now on
    w.sum_parts_max = 0;
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < 9; ++i) w.second({{"h1", 8e6}, {"h2", 1e6}});
        for (int i = 0; i < 9; ++i) w.second({{"h1", 1e6}, {"h2", 8e6}});
    }
    CHECK(w.sum_parts_max <= limit);
}

TEST_CASE("parts are cleared when a link is no longer shared, and a new agent clears what an earlier one left", "[bandwidth_share]") {
    auto kernel = std::make_shared<testing::FakeKernel>();
    kernel->link_shares[{7, Direction::BToA}] = LinkShare{"pcc-1", 1, 1, {}};  // left by an agent before
    testing::FakeDataplane dp(kernel);
    std::map<std::string, HostDemand> board;
    BandwidthSharer::Board io{[&](const std::set<std::string>&) { return board; },
                              [&](const std::string& h, const HostDemand& d) { board[h] = d; }};
    BandwidthSharer agent;
    LinkSample s{limited(), Direction::AToB};
    s.seconds = 1;
    auto parts = agent.run({"h1", {limited()}, a_on_two_hosts(), {s}, 1000, {1'000'000, std::chrono::steady_clock::now()}}, io, dp);
    REQUIRE(parts.size() == 1);
    CHECK(kernel->link_shares.size() == 1);
    CHECK(kernel->link_shares.contains({7, Direction::AToB}));
    CHECK(board.at("h1").bytes_per_second.size() == 1);

    const std::vector<VSwitch> moved{vswitch("vsw-1", "vpc-a", "h1"), vswitch("vsw-3", "vpc-b", "h3")};  // vsw-2 deleted
    parts = agent.run({"h1", {limited()}, moved, {s}, 1000, {1'001'000, std::chrono::steady_clock::now()}}, io, dp);
    CHECK(parts.empty());
    CHECK(kernel->link_shares.empty());
    CHECK(board.at("h1").bytes_per_second.empty());  // published once more, empty: h2 no longer counts on h1
}

TEST_CASE("a host's published demand: read back as written, and anything an agent does not write refused", "[bandwidth_share]") {
    const HostDemand d{1'000'000, 10'000, 1000, {{{"pcc-1", Direction::AToB}, 123.5}, {{"pcc-2", Direction::BToA}, 0.0}}};
    const auto back = etcd::demand_of(etcd::demand_text(d));
    REQUIRE(back);
    CHECK(back->time_ms == d.time_ms);
    CHECK(back->lease_ms == d.lease_ms);
    CHECK(back->interval_ms == d.interval_ms);
    CHECK(back->bytes_per_second == d.bytes_per_second);
    // The build before intervals were published: as slow as half its lease.
    CHECK(etcd::demand_of(R"({"time_ms":1,"lease_ms":10000,"demand":{}})")->interval_ms == 5000);
    for (const char* bad : {R"({"time_ms":"1","lease_ms":10000,"interval_ms":1000,"demand":{}})",
                            R"({"time_ms":1e300,"lease_ms":10000,"interval_ms":1000,"demand":{}})",
                            R"({"time_ms":1,"lease_ms":99999999999,"interval_ms":1000,"demand":{}})",
                            R"({"time_ms":-1,"lease_ms":10000,"interval_ms":1000,"demand":{}})",
                            R"({"time_ms":1,"lease_ms":10000,"interval_ms":1000,"demand":{"pcc-1/0":-5}})",
                            R"({"time_ms":1,"lease_ms":10000,"interval_ms":1000,"demand":{"pcc-1/0":"9"}})",
                            R"({"time_ms":1,"lease_ms":10000,"interval_ms":1000,"demand":{"pcc-1/2":9}})",
                            R"({"time_ms":1,"lease_ms":10000,"interval_ms":1000,"demand":{"/0":9}})",
                            R"({"time_ms":1,"lease_ms":10000,"interval_ms":1000,"demand":[]})",
                            R"({"time_ms":1,"lease_ms":10000,"interval_ms":1000,"demand":{"pcc-1/0":1e400}})", "not json"}) {
        INFO(bad);
        CHECK_FALSE(etcd::demand_of(bad));
    }
}
