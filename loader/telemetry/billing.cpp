#include "telemetry/billing.h"

#include "xpeer/bpf_abi.h"

namespace xpeer::billing {

std::vector<Price> default_prices() { return {{"cn-huhehaote", "cn-guangzhou", "Gold", 0.072}}; }

std::optional<double> price_of(const std::vector<Price>& prices, const std::string& a, const std::string& b, const std::string& link_type) {
    for (const auto& p : prices)
        if (p.link_type == link_type && ((p.region_a == a && p.region_b == b) || (p.region_a == b && p.region_b == a))) return p.usd_per_gb;
    return std::nullopt;
}

std::vector<Line> bill(AccountId account, const std::vector<Usage>& usage, const std::vector<Price>& prices) {
    std::vector<Line> out;
    for (const auto& u : usage) {
        const Peering& p = u.peering;
        const bool forward = u.direction == XP_DIR_A_TO_B;
        Line l;
        l.peering = p.id;
        l.from_vpc = forward ? p.vpc_id : p.peer_vpc_id;
        l.to_vpc = forward ? p.peer_vpc_id : p.vpc_id;
        l.payer = forward ? p.account : p.peer_account;
        if (l.payer != account) continue;
        l.gb = static_cast<double>(u.bytes) / kBytesPerGb;
        if (p.region == p.peer_region) {
            l.usd_per_gb = 0;
            l.note = "intra-region: free";
        } else if (auto price = price_of(prices, p.region, p.peer_region, p.link_type)) {
            l.usd_per_gb = *price;
            l.usd = l.gb * *price;
        } else {
            l.note = "no price for " + p.region + " <-> " + p.peer_region + " " + p.link_type + " (xpeer price set)";
        }
        out.push_back(l);
    }
    return out;
}

}  // namespace xpeer::billing
