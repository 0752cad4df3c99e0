#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "model/direction.h"
#include "model/model.h"
#include "model/region.h"

// The seed's billing: intra-region traffic is free; inter-region outbound traffic is billed to
// the account that sends it, per GB, by region pair and link type, at the price in force in the
// hour it was sent.
namespace xpeer::billing {

inline constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;  // GB as clouds bill it: 2^30 bytes

struct Price {
    std::string region_a, region_b;  // either order
    std::string link_type;           // Gold, Platinum
    double usd_per_gb = 0;
    int64_t effective_from = 0;  // unix seconds, on an hour: the hours from then on are billed at it
};

// The default table's rule, by where the two regions are (docs/PRICES.md). The seed prices
// China (Hohhot) <-> China (Guangzhou), Gold, at 0.072 USD/GB; every mainland pair gets that.
struct Tier {
    const char* name;
    double gold_usd_per_gb;
    double platinum_usd_per_gb;
};
const Tier& tier_of(const Region& a, const Region& b);
// Every pair of the seed's regions, Gold and Platinum, by tier_of, in force from the start (0).
std::vector<Price> default_prices();
// The price of the pair and link type in force at `at` (unix seconds): of those in `prices`
// with effective_from <= at, the latest; of two equally late ones, the later in `prices`.
std::optional<Price> price_at(const std::vector<Price>& prices, const std::string& a, const std::string& b, const std::string& link_type,
                              int64_t at = std::numeric_limits<int64_t>::max());
std::optional<double> price_of(const std::vector<Price>& prices, const std::string& a, const std::string& b, const std::string& link_type,
                               int64_t at = std::numeric_limits<int64_t>::max());

// Bytes sent one way over a connection in one hour (or, hour 0, in the billed period).
struct Usage {
    Peering peering;
    Direction direction = Direction::AToB;
    uint64_t bytes = 0;
    int64_t hour = 0;  // unix seconds / 3600
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

// The lines of `account`'s bill: the directions it sends on, one line for each price a direction
// was billed at (a price change between its hours splits it), each hour at the price then.
std::vector<Line> bill(AccountId account, const std::vector<Usage>& usage, const std::vector<Price>& prices);

}  // namespace xpeer::billing
