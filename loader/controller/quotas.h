#pragma once
#include <cstdint>
#include <string>
#include <vector>

// The seed's quotas, with their defaults. An account may set its own values (`xpeer quota set`).
namespace xpeer::quotas {

inline constexpr const char* kInterRegionPerVpc = "vpc_quota_cross_region_peer_num_per_vpc";
inline constexpr const char* kIntraRegionPerVpc = "vpc_quota_intra_region_peer_num_per_vpc";
inline constexpr const char* kPerAccountRegion = "vpc_quota_peer_num";
inline constexpr const char* kCrossBorderBandwidth = "vpc_quota_peer_cross_border_bandwidth";
inline constexpr const char* kInterRegionBandwidth = "vpc_quota_peer_cross_region_bandwidth";

struct Quota {
    std::string name;
    std::string description;
    int64_t default_value = 0;
    std::string unit;  // "" for a count
};

const std::vector<Quota>& all();
// Throws Error("InvalidQuotaName.NotFound") naming the known ones.
const Quota& find(const std::string& name);
// Throws Error("InvalidQuotaValue.*") for a value the quota cannot take.
void check_value(const Quota& q, int64_t value);

}  // namespace xpeer::quotas
