#include "telemetry/billing.h"

#include <map>
#include <tuple>

namespace xpeer::billing {

const Tier& tier_of(const Region& a, const Region& b) {
    static const Tier mainland{"mainland China", 0.072, 0.108};
    static const Tier same_area{"same area", 0.09, 0.135};
    static const Tier cross_area{"cross area", 0.12, 0.18};
    static const Tier cross_border{"cross-border", 0.16, 0.24};
    if (is_cross_border(a, b)) return cross_border;
    if (a.mainland_china) return mainland;
    return a.area == b.area ? same_area : cross_area;
}

std::vector<Price> default_prices() {
    std::vector<Price> out;
    const auto& all = regions();
    for (size_t i = 0; i < all.size(); ++i) {
        for (size_t j = i + 1; j < all.size(); ++j) {
            const Tier& t = tier_of(all[i], all[j]);
            out.push_back(Price{all[i].id, all[j].id, "Gold", t.gold_usd_per_gb, 0});
            out.push_back(Price{all[i].id, all[j].id, "Platinum", t.platinum_usd_per_gb, 0});
        }
    }
    return out;
}

std::optional<Price> price_at(const std::vector<Price>& prices, const std::string& a, const std::string& b, const std::string& link_type,
                              int64_t at) {
    const Price* found = nullptr;
    for (const auto& p : prices) {
        if (p.link_type != link_type || p.effective_from > at) continue;
        if (!((p.region_a == a && p.region_b == b) || (p.region_a == b && p.region_b == a))) continue;
        if (!found || p.effective_from >= found->effective_from) found = &p;
    }
    if (!found) return std::nullopt;
    return *found;
}

std::optional<double> price_of(const std::vector<Price>& prices, const std::string& a, const std::string& b, const std::string& link_type,
                               int64_t at) {
    auto p = price_at(prices, a, b, link_type, at);
    if (!p) return std::nullopt;
    return p->usd_per_gb;
}

std::vector<Line> bill(AccountId account, const std::vector<Usage>& usage, const std::vector<Price>& prices) {
    std::vector<Line> out;
    // a line for each connection, direction and price, in the order first met
    std::map<std::tuple<std::string, Direction, std::optional<double>>, size_t> line_of;
    std::map<std::string, std::vector<Price>> history;  // by connection: its pair's and link type's prices, for each hour
    for (const auto& u : usage) {
        const Peering& p = u.peering;
        auto [own, fresh_history] = history.try_emplace(p.id);
        if (fresh_history)
            for (const auto& price : prices)
                if (price_at({price}, p.region, p.peer_region, p.link_type)) own->second.push_back(price);
        const bool forward = u.direction == Direction::AToB;
        Line l;
        l.peering = p.id;
        l.from_vpc = forward ? p.vpc_id : p.peer_vpc_id;
        l.to_vpc = forward ? p.peer_vpc_id : p.vpc_id;
        l.payer = forward ? p.account : p.peer_account;
        if (l.payer != account) continue;
        if (p.region == p.peer_region) {
            l.usd_per_gb = 0;
            l.note = "intra-region: free";
        } else if (auto price = price_of(own->second, p.region, p.peer_region, p.link_type, u.hour * 3600)) {
            l.usd_per_gb = *price;
        } else {
            l.note = "no price for " + p.region + " <-> " + p.peer_region + " " + p.link_type + " (xpeer price set)";
        }
        auto [at, fresh] = line_of.emplace(std::tuple{p.id, u.direction, l.usd_per_gb}, out.size());
        if (fresh) out.push_back(l);
        Line& line = out[at->second];
        const double gb = static_cast<double>(u.bytes) / kBytesPerGb;
        line.gb += gb;
        if (line.usd_per_gb) line.usd += gb * *line.usd_per_gb;
    }
    return out;
}

}  // namespace xpeer::billing
