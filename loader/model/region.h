#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace xpeer {

// A region where VPC peering connections are supported (the seed's "Supported regions").
struct Region {
    std::string id;               // cn-hangzhou
    std::string name;             // China (Hangzhou)
    std::string area;             // Asia Pacific, Europe & Americas, Middle East
    bool mainland_china = false;  // China (Hong Kong) is not
    bool partner = false;         // operated by a partner (SAU (Riyadh - Partner Region))
};

// Every supported region, in the seed's order.
const std::vector<Region>& regions();
// Throws Error("InvalidRegionId.NotFound") for an id not in regions().
const Region& region(std::string_view id);
// A connection between mainland China and a region outside it (Hong Kong included) crosses a border.
bool is_cross_border(const Region& a, const Region& b);

}  // namespace xpeer
