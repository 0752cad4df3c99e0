#include <catch2/catch.hpp>

#include "agent/metrics.h"

using namespace xpeer;

TEST_CASE("metrics: Prometheus text with typed families, labels of each side, rates after the first sample", "[metrics]") {
    Peering p;
    p.id = "pcc-1";
    p.account = 11;
    p.vpc_id = "vpc-a";
    p.peer_account = 22;
    p.peer_vpc_id = "vpc-b";
    p.bandwidth_mbps = 100;
    LinkSample first{p, Direction::AToB, LinkCounters{10, 15000, 0, 0, 0, 0, 3}, LinkCounters{10, 15000, 0, 0, 0, 0, 3}, 0};
    LinkSample back{p, Direction::BToA, LinkCounters{5, 500, 0, 0, 0, 0, 0}, LinkCounters{5, 500, 0, 0, 0, 0, 0}, 2.0};
    VerdictCounts reasons{{"forward_local", 0, 0}, {"forward_peering", 15, 0}};
    auto text = metrics::exposition({first, back}, reasons);

    CHECK(text.find("# TYPE xpeer_peering_tx_bytes_total counter\n") != std::string::npos);
    CHECK(text.find("xpeer_peering_tx_bytes_total{peering=\"pcc-1\",direction=\"a_to_b\",from_vpc=\"vpc-a\",to_vpc=\"vpc-b\",account="
                    "\"11\"} 15000\n") != std::string::npos);
    CHECK(text.find("xpeer_peering_tx_bytes_total{peering=\"pcc-1\",direction=\"b_to_a\",from_vpc=\"vpc-b\",to_vpc=\"vpc-a\",account="
                    "\"22\"} 500\n") != std::string::npos);
    CHECK(text.find("xpeer_peering_dropped_packets_total{peering=\"pcc-1\",direction=\"a_to_b\",from_vpc=\"vpc-a\",to_vpc=\"vpc-b\","
                    "account=\"11\",reason=\"policer\"} 3\n") != std::string::npos);
    CHECK(text.find("xpeer_peering_bandwidth_bytes_per_second{peering=\"pcc-1\",direction=\"a_to_b\"") != std::string::npos);
    // a rate needs two samples: only the direction with an interval has one
    CHECK(text.find("xpeer_peering_rate_bytes_per_second{peering=\"pcc-1\",direction=\"a_to_b\"") == std::string::npos);
    CHECK(text.find("xpeer_peering_rate_bytes_per_second{peering=\"pcc-1\",direction=\"b_to_a\",from_vpc=\"vpc-b\",to_vpc=\"vpc-a\","
                    "account=\"22\"} 250\n") != std::string::npos);
    CHECK(text.find("xpeer_router_packets_total{reason=\"forward_peering\"} 15\n") != std::string::npos);
    for (const char* family : {"xpeer_peering_tx_packets_total", "xpeer_peering_utilization_ratio", "xpeer_peering_loss_ratio"})
        CHECK(text.find(std::string("# HELP ") + family + " ") != std::string::npos);
}

TEST_CASE("metrics: the agent's drift checks, found at the last and repaired since start", "[metrics]") {
    auto text = metrics::exposition({}, VerdictCounts{}, metrics::Drift{2, 5});
    CHECK(text.find("# TYPE xpeer_drift_differences gauge\nxpeer_drift_differences 2\n") != std::string::npos);
    CHECK(text.find("# TYPE xpeer_drift_repaired_total counter\nxpeer_drift_repaired_total 5\n") != std::string::npos);
}
