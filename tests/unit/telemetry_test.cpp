#include <catch2/catch.hpp>
#include <functional>

#include "model/error.h"
#include "telemetry/alerts.h"
#include "telemetry/billing.h"
#include "telemetry/rates.h"
#include "xpeer/bpf_abi.h"

using namespace xpeer;

TEST_CASE("billing reproduces the seed: 200 GB and 100 GB over Gold Hohhot-Guangzhou", "[billing]") {
    Peering p;
    p.id = "pcc-seed";
    p.account = 1;  // Customer 1, VPC1 in China (Hohhot)
    p.vpc_id = "vpc-1";
    p.region = "cn-huhehaote";
    p.peer_account = 2;  // Customer 2, VPC2 in China (Guangzhou)
    p.peer_vpc_id = "vpc-2";
    p.peer_region = "cn-guangzhou";
    p.link_type = "Gold";
    const uint64_t gb = 1ull << 30;
    std::vector<billing::Usage> usage{{p, XP_DIR_A_TO_B, 200 * gb}, {p, XP_DIR_B_TO_A, 100 * gb}};
    auto prices = billing::default_prices();

    auto c1 = billing::bill(1, usage, prices);
    REQUIRE(c1.size() == 1);
    CHECK(c1[0].from_vpc == "vpc-1");
    CHECK(c1[0].gb == Approx(200));
    CHECK(c1[0].usd_per_gb == Approx(0.072));
    CHECK(c1[0].usd == Approx(14.4));

    auto c2 = billing::bill(2, usage, prices);
    REQUIRE(c2.size() == 1);
    CHECK(c2[0].from_vpc == "vpc-2");
    CHECK(c2[0].usd == Approx(7.2));

    CHECK(billing::bill(3, usage, prices).empty());
}

TEST_CASE("billing: intra-region is free, a missing price is said, not guessed", "[billing]") {
    Peering p;
    p.id = "pcc-x";
    p.account = p.peer_account = 1;
    p.region = p.peer_region = "cn-hangzhou";
    auto lines = billing::bill(1, {{p, XP_DIR_A_TO_B, 5ull << 30}, {p, XP_DIR_B_TO_A, 1ull << 30}}, billing::default_prices());
    REQUIRE(lines.size() == 2);  // same account: both directions are its own
    CHECK(lines[0].usd == 0);
    CHECK(lines[0].note == "intra-region: free");
    p.peer_region = "cn-shanghai";
    p.link_type = "Platinum";
    lines = billing::bill(1, {{p, XP_DIR_A_TO_B, 1ull << 30}}, billing::default_prices());
    CHECK_FALSE(lines[0].usd_per_gb);
    CHECK(lines[0].note.find("no price") == 0);
    CHECK(billing::price_of({{"a", "b", "Gold", 0.5}}, "b", "a", "Gold") == Approx(0.5));  // either order
}

TEST_CASE("rates: deltas, restarts, utilisation and loss", "[telemetry]") {
    LinkCounters a{100, 150000, 0, 0, 0, 0, 0};
    LinkCounters b{1100, 1150000, 0, 0, 0, 0, 100};
    auto d = telemetry::delta(a, b);
    CHECK(d.packets == 1000);
    CHECK(d.bytes == 1000000);
    auto r = telemetry::rate(d, 2.0, 8);
    CHECK(r.bits_per_second == Approx(4e6));
    CHECK(r.packets_per_second == Approx(500));
    CHECK(*r.utilization == Approx(0.5));
    CHECK(r.loss == Approx(100.0 / 1100));
    CHECK_FALSE(telemetry::rate(d, 2.0, -1).utilization);
    LinkCounters restarted{10, 1000, 0, 0, 0, 0, 0};
    CHECK(telemetry::delta(b, restarted).bytes == 1000);  // counters reset: the new reading is the delta
}

TEST_CASE("alerts fire once after the window and resolve when the metric falls", "[alerts]") {
    alerts::Rule rule;
    rule.metric = alerts::Metric::Bps;
    rule.threshold = 1000;
    rule.for_seconds = 3;
    alerts::State s;
    using C = alerts::Change;
    CHECK(alerts::evaluate(rule, s, 2000, 100) == C::None);
    CHECK(alerts::evaluate(rule, s, 2000, 102) == C::None);
    CHECK(alerts::evaluate(rule, s, 500, 103) == C::None);  // a dip restarts the window
    CHECK(alerts::evaluate(rule, s, 2000, 104) == C::None);
    CHECK(alerts::evaluate(rule, s, 2000, 107) == C::Fired);
    CHECK(alerts::evaluate(rule, s, 2000, 108) == C::None);  // once
    CHECK(alerts::evaluate(rule, s, 2000, 200) == C::None);
    CHECK(alerts::evaluate(rule, s, 10, 201) == C::Resolved);
    CHECK(alerts::evaluate(rule, s, 10, 202) == C::None);
}

TEST_CASE("alert rules: bad metrics, thresholds, windows and webhooks are refused", "[alerts]") {
    auto code = [](const std::function<void()>& fn) {
        try {
            fn();
        } catch (const Error& e) {
            return e.code();
        }
        return std::string();
    };
    CHECK(code([] { alerts::metric_from_string("latency"); }) == "InvalidAlertMetric");
    alerts::Rule r;
    r.webhook = "http://127.0.0.1:8080/hook";
    CHECK(code([&] { alerts::check(r); }).empty());
    r.webhook = "ftp://x/y";
    CHECK(code([&] { alerts::check(r); }) == "InvalidAlert.Webhook");
    r.webhook = "http://exa mple/";
    CHECK(code([&] { alerts::check(r); }) == "InvalidAlert.Webhook");
    r.webhook = "";
    r.metric = alerts::Metric::Loss;
    r.threshold = 5;
    CHECK(code([&] { alerts::check(r); }) == "InvalidAlert.Threshold");
    r.threshold = 0.1;
    r.for_seconds = 0;
    CHECK(code([&] { alerts::check(r); }) == "InvalidAlert.Window");
}
