#include "agent/metrics.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "telemetry/rates.h"

namespace xpeer::metrics {
namespace {

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
}

// peering, direction, from/to VPC and the sending account: whose side this is.
std::string labels(const LinkSample& s) {
    const Peering& p = s.peering;
    const bool forward = s.direction == Direction::AToB;
    return "peering=\"" + p.id + "\",direction=\"" + label(s.direction) + "\",from_vpc=\"" + (forward ? p.vpc_id : p.peer_vpc_id) +
           "\",to_vpc=\"" + (forward ? p.peer_vpc_id : p.vpc_id) + "\",account=\"" + std::to_string(forward ? p.account : p.peer_account) +
           "\"";
}

// The drop counters, in the order of their lines (XPEER_LINK_COUNTER_FIELDS' drop_line).
std::vector<const LinkCounterField*> drop_fields_in_line_order() {
    std::vector<const LinkCounterField*> drops;
    for (const auto& f : kLinkCounterFields)
        if (f.is_drop()) drops.push_back(&f);
    std::sort(drops.begin(), drops.end(), [](const auto* a, const auto* b) { return a->drop_line < b->drop_line; });
    return drops;
}

struct Family {
    std::string name, type, help;
    std::function<void(std::string& out, const std::string& name)> lines;
};

}  // namespace

std::string exposition(const std::vector<LinkSample>& samples, const VerdictCounts& reasons, const Drift& drift,
                       const std::vector<BandwidthSharer::LinkPart>& parts) {
    auto each = [&](auto value) {
        return [&samples, value](std::string& out, const std::string& name) {
            for (const auto& s : samples)
                if (auto v = value(s)) out += name + "{" + labels(s) + "} " + number(*v) + "\n";
        };
    };
    auto rate_of = [](const LinkSample& s) { return telemetry::rate(s.delta, s.seconds, s.peering.bandwidth_mbps); };
    std::map<LinkKey, const BandwidthSharer::LinkPart*> part_by_link;
    for (const auto& p : parts) part_by_link[p.link.link] = &p;
    auto part_of = [&part_by_link](const LinkSample& s) -> const BandwidthSharer::LinkPart* {
        auto it = part_by_link.find({s.peering.id, s.direction});
        return it == part_by_link.end() ? nullptr : it->second;
    };
    std::vector<Family> families{
        {"xpeer_peering_tx_bytes_total", "counter", "IP bytes forwarded through a peering connection, by direction.",
         each([](const LinkSample& s) { return std::optional<double>(s.total.bytes); })},
        {"xpeer_peering_tx_packets_total", "counter", "Packets forwarded through a peering connection, by direction.",
         each([](const LinkSample& s) { return std::optional<double>(s.total.packets); })},
        {"xpeer_peering_dropped_packets_total", "counter", "Packets dropped on a peering connection, by direction and reason.",
         [&samples](std::string& out, const std::string& name) {
             for (const auto& s : samples)
                 for (const auto* f : drop_fields_in_line_order())
                     out += name + "{" + labels(s) + ",reason=\"" + std::string(f->drop_reason()) + "\"} " +
                            number(static_cast<double>(s.total.*f->member)) + "\n";
         }},
        {"xpeer_peering_bandwidth_bytes_per_second", "gauge", "The connection's bandwidth per direction (absent when unlimited).",
         each([](const LinkSample& s) {
             return s.peering.bandwidth_mbps > 0 ? std::optional<double>(s.peering.bandwidth_mbps * 1e6 / 8) : std::nullopt;
         })},
        {"xpeer_peering_host_share_bytes_per_second", "gauge",
         "This host's part of the connection's bandwidth while other hosts send on it too (absent otherwise).",
         each([&](const LinkSample& s) { return part_of(s) ? std::optional<double>(part_of(s)->part.rate) : std::nullopt; })},
        {"xpeer_peering_host_demand_bytes_per_second", "gauge",
         "This host's demand as it counts it for its part of a bandwidth shared with other hosts (absent otherwise).",
         each([&](const LinkSample& s) { return part_of(s) ? std::optional<double>(part_of(s)->counted) : std::nullopt; })},
        {"xpeer_peering_rate_bytes_per_second", "gauge", "Forwarded bytes per second over the last sampling interval.",
         each([&](const LinkSample& s) { return s.seconds > 0 ? std::optional<double>(rate_of(s).bits_per_second / 8) : std::nullopt; })},
        {"xpeer_peering_rate_packets_per_second", "gauge", "Forwarded packets per second over the last sampling interval.",
         each([&](const LinkSample& s) { return s.seconds > 0 ? std::optional<double>(rate_of(s).packets_per_second) : std::nullopt; })},
        {"xpeer_peering_utilization_ratio", "gauge", "Rate over bandwidth, over the last sampling interval (absent when unlimited).",
         each([&](const LinkSample& s) { return s.seconds > 0 ? rate_of(s).utilization : std::nullopt; })},
        {"xpeer_peering_loss_ratio", "gauge", "Dropped over offered packets, over the last sampling interval.",
         each([&](const LinkSample& s) { return s.seconds > 0 ? std::optional<double>(rate_of(s).loss) : std::nullopt; })},
        {"xpeer_router_packets_total", "counter", "Every packet the router saw, by verdict.",
         [&reasons](std::string& out, const std::string& name) {
             for (const auto& r : reasons) out += name + "{reason=\"" + r.reason + "\"} " + number(static_cast<double>(r.packets)) + "\n";
         }},
        {"xpeer_drift_differences", "gauge", "Differences between the store and the kernel at the agent's last check (xpeer check).",
         [&drift](std::string& out, const std::string& name) { out += name + " " + number(static_cast<double>(drift.found)) + "\n"; }},
        {"xpeer_drift_repaired_total", "counter", "Differences the agent found and repaired since it started.",
         [&drift](std::string& out, const std::string& name) {
             out += name + " " + number(static_cast<double>(drift.repaired_total)) + "\n";
         }},
    };
    std::string out;
    for (const auto& f : families) {
        out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
        f.lines(out, f.name);
    }
    return out;
}

}  // namespace xpeer::metrics
