// Counters into usage, bills and alerts through the controller, with counters set on the fake kernel.
#include <catch2/catch.hpp>

#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

namespace {

constexpr AccountId kC1 = 2001, kC2 = 2002;
constexpr uint64_t kGiB = 1ull << 30;

struct Seed {
    std::string vpc1, vpc2;
    Peering pcc;
};

// The seed's billing example: Customer 1 in China (Hohhot), Customer 2 in China (Guangzhou), Gold.
Seed seed(World& w) {
    Seed s;
    s.vpc1 = vpc_with_vswitch(w, kC1, "172.16.0.0/12", "172.16.1.0/24", "cn-huhehaote");
    s.vpc2 = vpc_with_vswitch(w, kC2, "192.168.0.0/16", "192.168.1.0/24", "cn-guangzhou");
    PeeringSpec spec{s.vpc1, s.vpc2, kC2, {}, {}, std::string("Gold"), "", ""};
    s.pcc = w.as(kC1)->create_peering(spec);
    w.as(kC2)->accept_peering(s.pcc.id);
    return s;
}

void traffic(World& w, const Peering& p, Direction dir, uint64_t bytes) {
    auto& c = w.kernel->link_counters[{p.slot, dir}];
    c.bytes += bytes;
    c.packets += bytes / 1500;
}

double total_usd(const std::vector<billing::Line>& lines) {
    double t = 0;
    for (const auto& l : lines) t += l.usd;
    return t;
}

}  // namespace

TEST_CASE("the seed's bill through the agent's sampling: USD 14.4 and USD 7.2", "[telemetry]") {
    World w;
    Seed s = seed(w);
    w.as(kOperatorAccount)->sample();
    traffic(w, s.pcc, Direction::AToB, 200 * kGiB);
    traffic(w, s.pcc, Direction::BToA, 100 * kGiB);
    w.clock += 60;
    w.as(kOperatorAccount)->sample();
    CHECK(total_usd(w.as(kC1)->bill({}, {})) == Approx(14.4));
    CHECK(total_usd(w.as(kC2)->bill({}, {})) == Approx(7.2));
    CHECK(w.as(2003)->bill({}, {}).empty());
}

TEST_CASE("counters that restart are not lost, and a deleted connection's last traffic is billed", "[telemetry]") {
    World w;
    Seed s = seed(w);
    traffic(w, s.pcc, Direction::AToB, 10 * kGiB);
    w.as(kOperatorAccount)->sample();
    w.kernel->link_counters[{s.pcc.slot, Direction::AToB}] = LinkCounters{};  // a reboot: the maps start again
    traffic(w, s.pcc, Direction::AToB, 5 * kGiB);
    w.clock += 1;
    w.as(kOperatorAccount)->sample();
    traffic(w, s.pcc, Direction::AToB, 1 * kGiB);  // after the last sample
    w.as(kC1)->delete_peering(s.pcc.id, false);
    auto lines = w.as(kC1)->bill({}, {});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].gb == Approx(16));
    CHECK(lines[0].usd == Approx(16 * 0.072));
}

TEST_CASE("a bill covers whole hours, intra-region traffic is free", "[telemetry]") {
    World w;
    w.clock = 1'800'000'000 / 3600 * 3600;  // on an hour
    Seed s = seed(w);
    w.as(kOperatorAccount)->sample();
    traffic(w, s.pcc, Direction::AToB, 2 * kGiB);
    w.clock += 1800;
    w.as(kOperatorAccount)->sample();
    traffic(w, s.pcc, Direction::AToB, 3 * kGiB);
    w.clock += 3600;  // the next hour
    w.as(kOperatorAccount)->sample();
    const int64_t hour = 1'800'000'000 / 3600 * 3600;
    auto first = w.as(kC1)->bill(hour, hour + 3600);
    REQUIRE(first.size() == 1);
    CHECK(first[0].gb == Approx(2));
    auto second = w.as(kC1)->bill(hour + 3600, hour + 7200);
    CHECK(second[0].gb == Approx(3));
    CHECK(error_code([&] { w.as(kC1)->bill(hour + 60, {}); }) == "InvalidTime.NotOnHour");

    auto a = vpc_with_vswitch(w, kC1, "10.1.0.0/16", "10.1.1.0/24", "cn-huhehaote");
    auto b = vpc_with_vswitch(w, kC1, "10.2.0.0/16", "10.2.1.0/24", "cn-huhehaote");
    auto local = w.as(kC1)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    traffic(w, local, Direction::AToB, 50 * kGiB);
    w.clock += 10;
    for (const auto& l : w.as(kC1)->bill({}, {}))
        if (l.peering == local.id) CHECK((l.usd == 0 && l.note == "intra-region: free"));
}

TEST_CASE("alert rules through the controller: fire once, recorded before delivery, resolve when the connection goes", "[telemetry]") {
    World w;
    Seed s = seed(w);
    CHECK(error_code([&] { w.as(kC1)->create_alert(AlertSpec{s.pcc.id, "utilization", 0.5, 1, ""}); }) == "");  // 1024 Mbps: defined
    auto rule = w.as(kC1)->create_alert(AlertSpec{s.pcc.id, "bps", 1e6, 2, ""});
    auto tick = [&](uint64_t bytes) {
        traffic(w, s.pcc, Direction::AToB, bytes);
        w.clock += 1;
        auto samples = w.as(kOperatorAccount)->sample();
        return w.as(kOperatorAccount)->evaluate_alerts(samples);
    };
    tick(0);
    CHECK(tick(10'000'000).empty());  // 80 Mbit/s, breached since now
    CHECK(tick(10'000'000).empty());  // 1 s
    auto fired = tick(10'000'000);    // 2 s: fires
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].change.change == "Fired");
    CHECK(tick(10'000'000).empty());  // once
    auto history = w.as(kC1)->alert_history(rule.id);
    REQUIRE(history.size() == 1);
    CHECK(history[0].delivery == "pending");
    auto change = fired[0].change;
    change.delivery = "HTTP 200";
    w.as(kOperatorAccount)->record_delivery(change);
    CHECK(w.as(kC1)->alert_history(rule.id)[0].delivery == "HTTP 200");

    w.as(kC1)->delete_peering(s.pcc.id, false);
    auto resolved = w.as(kOperatorAccount)->evaluate_alerts(w.as(kOperatorAccount)->sample());
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].change.change == "Resolved");
    CHECK(error_code([&] { w.as(kC1)->create_alert(AlertSpec{s.pcc.id, "bps", 1, 1, ""}); }) == "IncorrectStatus.VpcPeer");
    CHECK(error_code([&] { w.as(kC2)->alert_history(rule.id); }) == "InvalidAlertId.NotFound");
}

TEST_CASE("utilization needs a bandwidth, prices are the operator's", "[telemetry]") {
    World w;
    auto a = vpc_with_vswitch(w, kC1, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, kC1, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(kC1)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kC1)->create_alert(AlertSpec{p.id, "utilization", 0.5, 60, ""}); }) == "InvalidAlert.Unlimited");
    CHECK(error_code([&] { w.as(kC1)->set_price(billing::Price{"cn-shanghai", "cn-hangzhou", "Gold", 0}); }) == "Forbidden.Operator");
    // the operator's account without --operator is a tenant like any other
    CHECK(error_code([&] {
              w.as(kOperatorAccount)->set_price(billing::Price{"cn-shanghai", "cn-hangzhou", "Gold", 0});
          }) == "Forbidden.Operator");
    CHECK(w.dump() == before);
    auto set = w.as(kC1, true)->set_price(billing::Price{"cn-shanghai", "cn-hangzhou", "Gold", 0.05});
    CHECK(set.effective_from == (w.clock / 3600 + 1) * 3600);  // the next full hour
    auto prices = w.as(kC1)->list_prices();
    CHECK(billing::price_of(prices, "cn-hangzhou", "cn-shanghai", "Gold", w.clock) == Approx(0.072));  // the default, until then
    CHECK(billing::price_of(prices, "cn-hangzhou", "cn-shanghai", "Gold", set.effective_from) == Approx(0.05));
    w.clock = set.effective_from;
    CHECK(billing::price_of(w.as(kC1)->list_prices(), "cn-hangzhou", "cn-shanghai", "Gold", w.clock) == Approx(0.05));
}

TEST_CASE("every inter-region bill has a price: the default table covers every pair of the seed's regions", "[telemetry]") {
    World w;
    const size_t pairs = regions().size() * (regions().size() - 1) / 2;
    CHECK(w.as(kC1)->list_prices().size() == pairs * 2);  // Gold and Platinum
    auto far = vpc_with_vswitch(w, kC1, "10.1.0.0/16", "10.1.1.0/24", "me-central-1");
    auto near = vpc_with_vswitch(w, kC1, "10.2.0.0/16", "10.2.1.0/24", "cn-wuhan-lr");
    auto p = w.as(kC1)->create_peering(PeeringSpec{far, near, {}, {}, {}, std::string("Platinum"), "", ""});
    traffic(w, p, Direction::AToB, 10 * kGiB);
    w.clock += 60;
    auto lines = w.as(kC1)->bill({}, {});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].note.empty());
    CHECK(lines[0].usd_per_gb == Approx(0.24));  // cross-border, Platinum
    CHECK(lines[0].usd == Approx(2.4));
}

TEST_CASE("a price change leaves the amounts of earlier hours as they were", "[telemetry]") {
    World w;
    const int64_t hour = 1'800'000'000 / 3600 * 3600;
    w.clock = hour + 60;
    Seed s = seed(w);  // Hohhot - Guangzhou, Gold: 0.072 USD/GB by default
    w.as(kOperatorAccount)->sample();
    traffic(w, s.pcc, Direction::AToB, 100 * kGiB);
    w.clock = hour + 1800;
    w.as(kOperatorAccount)->sample();
    const auto first_hour = w.as(kC1)->bill(hour, hour + 3600);
    REQUIRE(first_hour.size() == 1);
    CHECK(first_hour[0].usd == Approx(7.2));

    // set in the first hour: the first hour keeps its price, the second is billed at the new one
    w.as(kOperatorAccount, true)->set_price(billing::Price{"cn-guangzhou", "cn-huhehaote", "Gold", 0.05});
    traffic(w, s.pcc, Direction::AToB, 10 * kGiB);
    w.clock = hour + 3600 + 60;
    w.as(kOperatorAccount)->sample();
    CHECK(total_usd(w.as(kC1)->bill(hour, hour + 3600)) == Approx(7.2));
    // and a later change touches neither
    w.as(kOperatorAccount, true)->set_price(billing::Price{"cn-huhehaote", "cn-guangzhou", "Gold", 1.0});
    w.clock = hour + 3 * 3600;
    auto lines = w.as(kC1)->bill({}, {});
    REQUIRE(lines.size() == 2);  // one line a price
    CHECK(lines[0].usd_per_gb == Approx(0.072));
    CHECK(lines[0].gb == Approx(100));
    CHECK(lines[1].usd_per_gb == Approx(0.05));
    CHECK(lines[1].gb == Approx(10));
    CHECK(total_usd(lines) == Approx(7.2 + 0.5));
}
