#include "telemetry/bandwidth_share.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace xpeer::bandwidth_share {

int64_t lease_ms(int64_t interval_ms) { return std::max<int64_t>(10'000, 3 * interval_ms); }

std::vector<SharedLink> shared_links(const std::vector<Peering>& peerings, const std::vector<VSwitch>& vswitches, const std::string& here) {
    std::map<std::string, std::set<std::string>> hosts_of;  // VPC -> the hosts of its vSwitches
    for (const auto& v : vswitches)
        if (v.host && !v.host->empty()) hosts_of[v.vpc_id].insert(*v.host);
    std::vector<SharedLink> out;
    for (const auto& p : peerings) {
        if (p.bandwidth_mbps <= 0 || (p.status != PeeringStatus::Activated && p.status != PeeringStatus::Updating)) continue;
        for (Direction d : kDirections) {
            const auto it = hosts_of.find(d == Direction::AToB ? p.vpc_id : p.peer_vpc_id);
            if (it == hosts_of.end() || it->second.size() < 2 || !it->second.contains(here)) continue;
            out.push_back({{p.id, d},
                           p.slot,
                           static_cast<uint64_t>(p.bandwidth_mbps) * 1'000'000 / 8,
                           std::vector<std::string>(it->second.begin(), it->second.end())});
        }
    }
    return out;
}

double offered(const LinkCounters& delta, double seconds) {
    if (seconds <= 0) return 0;
    const double mean = delta.packets ? static_cast<double>(delta.bytes) / static_cast<double>(delta.packets) : 1500.0;
    return (static_cast<double>(delta.bytes) + static_cast<double>(delta.drop_policer) * mean) / seconds;
}

double smooth(std::optional<double> previous, double offered) {
    if (!previous || offered >= *previous) return offered;  // a host that asks more gets it soon
    return offered + (*previous - offered) / 4;             // one that asks less gives it up over two or three intervals
}

double claimed(double smoothed, bool policed) { return policed ? smoothed * kPolicedBoost : smoothed; }

std::vector<uint64_t> split(uint64_t limit, const std::vector<Claim>& claims) {
    const size_t n = claims.size();
    if (n == 0) return {};
    const double total = static_cast<double>(limit), equal = total / static_cast<double>(n);
    std::vector<double> part(n, 0), demand(n, 0);
    std::vector<size_t> heard;  // indices of the claims with a demand
    for (size_t i = 0; i < n; ++i) {
        if (claims[i].demand) {
            heard.push_back(i);
            demand[i] = std::isnan(*claims[i].demand) ? 0 : std::max(*claims[i].demand, 0.0);
        } else {
            part[i] = equal;
        }
    }
    if (!heard.empty()) {
        const double k = static_cast<double>(heard.size());
        const double rest = total - equal * static_cast<double>(n - heard.size());
        const double floor = rest * kFloorShare / k;
        double left = rest - floor * k;
        // Max-min fair: in order of demand, each takes what it asks or an even split of what is left.
        std::ranges::stable_sort(heard, [&](size_t a, size_t b) { return demand[a] < demand[b]; });
        for (size_t done = 0; done < heard.size(); ++done) {
            const size_t i = heard[done];
            const double take = std::min(demand[i], left / static_cast<double>(heard.size() - done));
            part[i] = floor + take;
            left -= take;
        }
        for (size_t i : heard) part[i] += left / k;  // what nobody asked for
    }
    std::vector<uint64_t> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = std::max<uint64_t>(1, static_cast<uint64_t>(part[i]));
    return out;
}

std::vector<Claim> claims(const SharedLink& link, const std::map<std::string, HostDemand>& heard, int64_t now_ms) {
    std::vector<Claim> out;
    for (const auto& host : link.hosts) {
        Claim c{host, std::nullopt};
        if (auto h = heard.find(host); h != heard.end() && now_ms - h->second.time_ms < h->second.lease_ms) {
            auto d = h->second.bytes_per_second.find(link.link);
            c.demand = d == h->second.bytes_per_second.end() ? 0.0 : d->second;  // it published, and sends none of it
        }
        out.push_back(std::move(c));
    }
    return out;
}

Part part_of(const SharedLink& link, const std::vector<Claim>& claims, const std::string& here) {
    Part p{link.limit, link.limit};
    const auto parts = split(link.limit, claims);
    auto least_of = claims;  // every other host asking for all of it
    for (auto& c : least_of)
        if (c.host != here) c.demand = std::numeric_limits<double>::infinity();
    const auto least = split(link.limit, least_of);
    for (size_t i = 0; i < claims.size(); ++i)
        if (claims[i].host == here) p = {parts[i], std::min(parts[i], least[i])};
    return p;
}

}  // namespace xpeer::bandwidth_share
