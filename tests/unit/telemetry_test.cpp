#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>

#include "model/error.h"
#include "model/region.h"
#include "telemetry/alerts.h"
#include "telemetry/billing.h"
#include "telemetry/rates.h"

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
    std::vector<billing::Usage> usage{{p, Direction::AToB, 200 * gb}, {p, Direction::BToA, 100 * gb}};
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
    auto lines = billing::bill(1, {{p, Direction::AToB, 5ull << 30}, {p, Direction::BToA, 1ull << 30}}, billing::default_prices());
    REQUIRE(lines.size() == 2);  // same account: both directions are its own
    CHECK(lines[0].usd == 0);
    CHECK(lines[0].note == "intra-region: free");
    p.peer_region = "cn-shanghai";
    p.link_type = "Platinum";
    lines = billing::bill(1, {{p, Direction::AToB, 1ull << 30}}, {{"cn-hangzhou", "cn-shanghai", "Gold", 0.5}});
    CHECK_FALSE(lines[0].usd_per_gb);
    CHECK(lines[0].note.find("no price") == 0);
    CHECK(billing::price_of({{"a", "b", "Gold", 0.5}}, "b", "a", "Gold") == Approx(0.5));  // either order
}

TEST_CASE("the default price table: every pair of the seed's regions, by the documented tiers", "[billing]") {
    auto prices = billing::default_prices();
    const auto& all = regions();
    CHECK(prices.size() == all.size() * (all.size() - 1));  // each pair once, Gold and Platinum
    for (const auto& a : all)
        for (const auto& b : all)
            for (const char* link : {"Gold", "Platinum"})
                if (a.id != b.id && !billing::price_of(prices, a.id, b.id, link))
                    FAIL("no price for " << a.id << " <-> " << b.id << " " << link);
    auto gold = [&](const char* a, const char* b) { return *billing::price_of(prices, a, b, "Gold"); };
    auto platinum = [&](const char* a, const char* b) { return *billing::price_of(prices, a, b, "Platinum"); };
    CHECK(gold("cn-huhehaote", "cn-guangzhou") == Approx(0.072));  // the seed's example
    CHECK(gold("cn-hangzhou", "cn-beijing") == Approx(0.072));     // mainland China
    CHECK(gold("ap-northeast-1", "cn-hongkong") == Approx(0.09));  // same area, outside mainland China
    CHECK(gold("eu-central-1", "us-east-1") == Approx(0.09));
    CHECK(gold("ap-southeast-1", "eu-west-1") == Approx(0.12));  // across areas
    CHECK(gold("me-east-1", "us-west-1") == Approx(0.12));
    CHECK(gold("cn-shanghai", "cn-hongkong") == Approx(0.16));  // cross-border
    CHECK(gold("cn-beijing", "us-east-1") == Approx(0.16));
    CHECK(platinum("cn-huhehaote", "cn-guangzhou") == Approx(0.108));  // 1.5 x Gold
    CHECK(platinum("ap-northeast-1", "cn-hongkong") == Approx(0.135));
    CHECK(platinum("ap-southeast-1", "eu-west-1") == Approx(0.18));
    CHECK(platinum("cn-beijing", "us-east-1") == Approx(0.24));
}

TEST_CASE("billing: each hour at the price in force then, a line for each price", "[billing]") {
    Peering p;
    p.id = "pcc-h";
    p.account = p.peer_account = 1;
    p.vpc_id = "vpc-1";
    p.peer_vpc_id = "vpc-2";
    p.region = "cn-huhehaote";
    p.peer_region = "cn-guangzhou";
    p.link_type = "Gold";
    const uint64_t gb = 1ull << 30;
    const int64_t h = 500'000;  // an hour: unix seconds / 3600
    auto prices = billing::default_prices();
    prices.push_back({"cn-guangzhou", "cn-huhehaote", "Gold", 0.05, (h + 1) * 3600});
    prices.push_back({"cn-huhehaote", "cn-guangzhou", "Gold", 0.04, (h + 2) * 3600});
    CHECK(billing::price_of(prices, "cn-huhehaote", "cn-guangzhou", "Gold", h * 3600 + 3599) == Approx(0.072));
    CHECK(billing::price_of(prices, "cn-huhehaote", "cn-guangzhou", "Gold", (h + 1) * 3600) == Approx(0.05));
    CHECK(billing::price_of(prices, "cn-huhehaote", "cn-guangzhou", "Gold") == Approx(0.04));  // the latest
    std::vector<billing::Usage> usage{{p, Direction::AToB, 10 * gb, h},
                                      {p, Direction::AToB, 20 * gb, h + 1},
                                      {p, Direction::AToB, 30 * gb, h + 2},
                                      {p, Direction::AToB, 40 * gb, h + 3}};
    auto lines = billing::bill(1, usage, prices);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].gb == Approx(10));
    CHECK(lines[0].usd == Approx(0.72));
    CHECK(lines[1].gb == Approx(20));
    CHECK(lines[1].usd == Approx(1.0));
    CHECK(lines[2].gb == Approx(70));
    CHECK(lines[2].usd == Approx(2.8));
    prices.push_back({"cn-huhehaote", "cn-guangzhou", "Gold", 0.03, 0});  // set before history began: wins the tie with the default
    CHECK(billing::price_of(prices, "cn-huhehaote", "cn-guangzhou", "Gold", h * 3600) == Approx(0.03));
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
    r.for_seconds = 60;
    for (auto metric : {alerts::Metric::Utilization, alerts::Metric::Loss, alerts::Metric::Bps}) {
        r.metric = metric;
        INFO(alerts::to_string(metric));
        for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(), -0.5}) {
            r.threshold = bad;
            CHECK(code([&] { alerts::check(r); }) == "InvalidAlert.Threshold");
        }
        r.threshold = metric == alerts::Metric::Bps ? 1e12 + 1 : 1.01;  // above what the metric can be
        CHECK(code([&] { alerts::check(r); }) == "InvalidAlert.Threshold");
        r.threshold = metric == alerts::Metric::Bps ? 1e12 : 1;
        CHECK(code([&] { alerts::check(r); }).empty());
    }
}
