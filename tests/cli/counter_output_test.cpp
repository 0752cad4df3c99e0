// What users and e2e tests read of the counters: `stats --json`, the stats table and the agent's
// metrics, byte for byte, whatever the counters' field list does inside.
#include <catch2/catch.hpp>
#include <iterator>
#include <sstream>

#include "agent/metrics.h"
#include "cli/render.h"

using namespace xpeer;

namespace {

Peering peering() {
    Peering p;
    p.id = "pcc-1";
    p.name = "web";
    p.status = PeeringStatus::Activated;
    p.account = 11;
    p.vpc_id = "vpc-a";
    p.peer_account = 22;
    p.peer_vpc_id = "vpc-b";
    p.bandwidth_mbps = 100;
    return p;
}

// Every counter a different value, so that a swapped field shows.
LinkCounters counters(uint64_t base) { return LinkCounters{base + 1, base + 2, base + 3, base + 4, base + 5, base + 6, base + 7}; }

VerdictCounts verdicts() {
    const char* reasons[] = {"forward_local", "forward_peering", "pass_not_ip",  "pass_link_local", "drop_no_route",
                             "drop_transit",  "drop_inactive",   "drop_ttl",     "drop_malformed",  "unknown_port",
                             "drop_policer",  "drop_spoofed",    "drop_reserved"};
    VerdictCounts v;
    for (uint64_t r = 0; r < std::size(reasons); ++r) v.push_back(ReasonCount{reasons[r], 100 + r, 1000 + r});
    return v;
}

}  // namespace

TEST_CASE("counter output: stats JSON and table", "[render]") {
    LinkStats s{peering(), counters(10), counters(20)};
    CHECK(
        render::to_json(s).dump() ==
        R"({"Directions":[{"Counters":{"Bytes":12,"DropInactive":13,"DropNoRoute":14,"DropPolicer":17,"DropTransit":15,"DropTtl":16,"Packets":11},"From":"vpc-a","To":"vpc-b"},)"
        R"({"Counters":{"Bytes":22,"DropInactive":23,"DropNoRoute":24,"DropPolicer":27,"DropTransit":25,"DropTtl":26,"Packets":21},"From":"vpc-b","To":"vpc-a"}],)"
        R"("InstanceId":"pcc-1","Name":"web","Status":"Activated"})");
    std::ostringstream table;
    render::table(table, std::vector<LinkStats>{s});
    CHECK(table.str() ==
          R"(PEERING  NAME  STATUS     FROM   TO     PACKETS  BYTES  DROP INACTIVE  DROP NO ROUTE  DROP TRANSIT  DROP TTL  DROP POLICER
pcc-1    web   Activated  vpc-a  vpc-b  11       12     13             14             15            16        17
pcc-1    web   Activated  vpc-b  vpc-a  21       22     23             24             25            26        27
)");
    CHECK(
        render::reasons_json(verdicts()).dump() ==
        R"([{"Bytes":1000,"Packets":100,"Reason":"forward_local"},{"Bytes":1001,"Packets":101,"Reason":"forward_peering"},{"Bytes":1002,"Packets":102,"Reason":"pass_not_ip"},{"Bytes":1003,"Packets":103,"Reason":"pass_link_local"},{"Bytes":1004,"Packets":104,"Reason":"drop_no_route"},{"Bytes":1005,"Packets":105,"Reason":"drop_transit"},{"Bytes":1006,"Packets":106,"Reason":"drop_inactive"},{"Bytes":1007,"Packets":107,"Reason":"drop_ttl"},{"Bytes":1008,"Packets":108,"Reason":"drop_malformed"},{"Bytes":1009,"Packets":109,"Reason":"unknown_port"},{"Bytes":1010,"Packets":110,"Reason":"drop_policer"},{"Bytes":1011,"Packets":111,"Reason":"drop_spoofed"},{"Bytes":1012,"Packets":112,"Reason":"drop_reserved"}])");
    std::ostringstream reasons;
    render::reasons_table(reasons, verdicts());
    CHECK(reasons.str() ==
          R"(REASON           PACKETS  BYTES
forward_local    100      1000
forward_peering  101      1001
pass_not_ip      102      1002
pass_link_local  103      1003
drop_no_route    104      1004
drop_transit     105      1005
drop_inactive    106      1006
drop_ttl         107      1007
drop_malformed   108      1008
unknown_port     109      1009
drop_policer     110      1010
drop_spoofed     111      1011
drop_reserved    112      1012
)");
}

TEST_CASE("counter output: metrics exposition", "[metrics]") {
    LinkSample first{peering(), Direction::AToB, counters(10), counters(10), 0};
    LinkSample back{peering(), Direction::BToA, counters(20), counters(0), 2.0};
    BandwidthSharer::LinkPart part{{{"pcc-1", Direction::AToB}, 1, 12'500'000, {"h1", "h2"}}, 7'000'000, {6'250'000, 6'250'000}};
    CHECK(metrics::exposition({first, back}, verdicts(), metrics::Drift{2, 5}, {part}) ==
          R"(# HELP xpeer_peering_tx_bytes_total IP bytes forwarded through a peering connection, by direction.
# TYPE xpeer_peering_tx_bytes_total counter
xpeer_peering_tx_bytes_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11"} 12
xpeer_peering_tx_bytes_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 22
# HELP xpeer_peering_tx_packets_total Packets forwarded through a peering connection, by direction.
# TYPE xpeer_peering_tx_packets_total counter
xpeer_peering_tx_packets_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11"} 11
xpeer_peering_tx_packets_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 21
# HELP xpeer_peering_dropped_packets_total Packets dropped on a peering connection, by direction and reason.
# TYPE xpeer_peering_dropped_packets_total counter
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11",reason="policer"} 17
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11",reason="inactive"} 13
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11",reason="no_route"} 14
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11",reason="transit"} 15
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11",reason="ttl"} 16
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22",reason="policer"} 27
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22",reason="inactive"} 23
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22",reason="no_route"} 24
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22",reason="transit"} 25
xpeer_peering_dropped_packets_total{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22",reason="ttl"} 26
# HELP xpeer_peering_bandwidth_bytes_per_second The connection's bandwidth per direction (absent when unlimited).
# TYPE xpeer_peering_bandwidth_bytes_per_second gauge
xpeer_peering_bandwidth_bytes_per_second{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11"} 12500000
xpeer_peering_bandwidth_bytes_per_second{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 12500000
# HELP xpeer_peering_host_share_bytes_per_second This host's part of the connection's bandwidth while other hosts send on it too (absent otherwise).
# TYPE xpeer_peering_host_share_bytes_per_second gauge
xpeer_peering_host_share_bytes_per_second{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11"} 6250000
# HELP xpeer_peering_host_demand_bytes_per_second This host's demand as it counts it for its part of a bandwidth shared with other hosts (absent otherwise).
# TYPE xpeer_peering_host_demand_bytes_per_second gauge
xpeer_peering_host_demand_bytes_per_second{peering="pcc-1",direction="a_to_b",from_vpc="vpc-a",to_vpc="vpc-b",account="11"} 7000000
# HELP xpeer_peering_rate_bytes_per_second Forwarded bytes per second over the last sampling interval.
# TYPE xpeer_peering_rate_bytes_per_second gauge
xpeer_peering_rate_bytes_per_second{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 1
# HELP xpeer_peering_rate_packets_per_second Forwarded packets per second over the last sampling interval.
# TYPE xpeer_peering_rate_packets_per_second gauge
xpeer_peering_rate_packets_per_second{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 0.5
# HELP xpeer_peering_utilization_ratio Rate over bandwidth, over the last sampling interval (absent when unlimited).
# TYPE xpeer_peering_utilization_ratio gauge
xpeer_peering_utilization_ratio{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 8.0000000000000002e-08
# HELP xpeer_peering_loss_ratio Dropped over offered packets, over the last sampling interval.
# TYPE xpeer_peering_loss_ratio gauge
xpeer_peering_loss_ratio{peering="pcc-1",direction="b_to_a",from_vpc="vpc-b",to_vpc="vpc-a",account="22"} 0.96153846153846156
# HELP xpeer_router_packets_total Every packet the router saw, by verdict.
# TYPE xpeer_router_packets_total counter
xpeer_router_packets_total{reason="forward_local"} 100
xpeer_router_packets_total{reason="forward_peering"} 101
xpeer_router_packets_total{reason="pass_not_ip"} 102
xpeer_router_packets_total{reason="pass_link_local"} 103
xpeer_router_packets_total{reason="drop_no_route"} 104
xpeer_router_packets_total{reason="drop_transit"} 105
xpeer_router_packets_total{reason="drop_inactive"} 106
xpeer_router_packets_total{reason="drop_ttl"} 107
xpeer_router_packets_total{reason="drop_malformed"} 108
xpeer_router_packets_total{reason="unknown_port"} 109
xpeer_router_packets_total{reason="drop_policer"} 110
xpeer_router_packets_total{reason="drop_spoofed"} 111
xpeer_router_packets_total{reason="drop_reserved"} 112
# HELP xpeer_drift_differences Differences between the store and the kernel at the agent's last check (xpeer check).
# TYPE xpeer_drift_differences gauge
xpeer_drift_differences 2
# HELP xpeer_drift_repaired_total Differences the agent found and repaired since it started.
# TYPE xpeer_drift_repaired_total counter
xpeer_drift_repaired_total 5
)");
}
