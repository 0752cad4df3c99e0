#include "controller/quotas.h"

#include "controller/lifecycle.h"
#include "model/errors.h"

namespace xpeer::quotas {

const std::vector<Quota>& all() {
    static const std::vector<Quota> quotas{
        {kInterRegionPerVpc, "Maximum number of inter-region VPC peering connections for each VPC", 20, ""},
        {kIntraRegionPerVpc, "Maximum number of intra-region VPC peering connections for each VPC", 10, ""},
        {kPerAccountRegion, "Maximum number of VPC peering connections that can be created by each account in each region", 20, ""},
        {kCrossBorderBandwidth, "Maximum bandwidth for cross-border VPC peering connections", 1024, "Mbps"},
        {kInterRegionBandwidth, "Maximum bandwidth for inter-region VPC peering connections", 1024, "Mbps"},
    };
    return quotas;
}

const Quota& find(const std::string& name) {
    std::string known;
    for (const auto& q : all()) {
        if (q.name == name) return q;
        known += (known.empty() ? "" : ", ") + q.name;
    }
    throw errors::invalid_quota_name_not_found("no quota named '" + name + "'; quotas are " + known);
}

void check_value(const Quota& q, int64_t value) {
    if (value < 0) throw errors::invalid_quota_value_negative(q.name + " cannot be negative (" + std::to_string(value) + ")");
    if (!q.unit.empty() && value == 0) throw errors::invalid_quota_value_zero(q.name + " must be at least 1 " + q.unit);
    if (!q.unit.empty() && value > lifecycle::kMaxBandwidthMbps)
        throw errors::invalid_quota_value_too_large(q.name + " cannot exceed " + std::to_string(lifecycle::kMaxBandwidthMbps) + " " +
                                                    q.unit + ", the most the data plane can enforce");
}

}  // namespace xpeer::quotas
