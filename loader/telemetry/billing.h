#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"

// The seed's billing: intra-region traffic is free; inter-region outbound traffic is billed to
// the account that sends it, per GB, by region pair and link type.
namespace xpeer::billing {

inline constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;  // GB as clouds bill it: 2^30 bytes

struct Price {
    std::string region_a, region_b;  // either order
    std::string link_type;           // Gold, Platinum
    double usd_per_gb = 0;
};
// The table the operator starts from: the seed's example, China (Hohhot) <-> China (Guangzhou), Gold.
std::vector<Price> default_prices();
std::optional<double> price_of(const std::vector<Price>& prices, const std::string& a, const std::string& b, const std::string& link_type);

// Bytes sent one way over a connection in the billed period.
struct Usage {
    Peering peering;
    int direction = 0;  // XP_DIR_A_TO_B: from the requester's VPC
    uint64_t bytes = 0;
};

struct Line {
    std::string peering;
    std::string from_vpc, to_vpc;
    AccountId payer = 0;  // the sender
    double gb = 0;
    std::optional<double> usd_per_gb;  // none: no price for this region pair and link type
    double usd = 0;
    std::string note;  // "intra-region: free", "no price for ..."
};

// The lines of `account`'s bill: the directions it sends on.
std::vector<Line> bill(AccountId account, const std::vector<Usage>& usage, const std::vector<Price>& prices);

}  // namespace xpeer::billing
