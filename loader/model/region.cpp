#include "model/region.h"

#include <algorithm>

#include "model/errors.h"

namespace xpeer {

const std::vector<Region>& regions() {
    static const std::string ap = "Asia Pacific", ea = "Europe & Americas", me = "Middle East";
    static const std::vector<Region> all{
        {"cn-hangzhou", "China (Hangzhou)", ap, true, false},
        {"cn-shanghai", "China (Shanghai)", ap, true, false},
        {"cn-nanjing", "China (Nanjing - Local Region)", ap, true, false},
        {"cn-qingdao", "China (Qingdao)", ap, true, false},
        {"cn-beijing", "China (Beijing)", ap, true, false},
        {"cn-zhangjiakou", "China (Zhangjiakou)", ap, true, false},
        {"cn-huhehaote", "China (Hohhot)", ap, true, false},
        {"cn-wulanchabu", "China (Ulanqab)", ap, true, false},
        {"cn-shenzhen", "China (Shenzhen)", ap, true, false},
        {"cn-heyuan", "China (Heyuan)", ap, true, false},
        {"cn-guangzhou", "China (Guangzhou)", ap, true, false},
        {"cn-chengdu", "China (Chengdu)", ap, true, false},
        {"cn-hongkong", "China (Hong Kong)", ap, false, false},
        {"cn-wuhan-lr", "China (Wuhan - Local Region)", ap, true, false},
        {"cn-fuzhou", "China (Fuzhou - Local Region)", ap, true, false},
        {"ap-northeast-1", "Japan (Tokyo)", ap, false, false},
        {"ap-northeast-2", "South Korea (Seoul)", ap, false, false},
        {"ap-southeast-1", "Singapore", ap, false, false},
        {"ap-southeast-3", "Malaysia (Kuala Lumpur)", ap, false, false},
        {"ap-southeast-5", "Indonesia (Jakarta)", ap, false, false},
        {"ap-southeast-6", "Philippines (Manila)", ap, false, false},
        {"ap-southeast-7", "Thailand (Bangkok)", ap, false, false},
        {"eu-central-1", "Germany (Frankfurt)", ea, false, false},
        {"eu-west-1", "UK (London)", ea, false, false},
        {"us-west-1", "US (Silicon Valley)", ea, false, false},
        {"us-east-1", "US (Virginia)", ea, false, false},
        {"me-east-1", "UAE (Dubai)", me, false, false},
        {"me-central-1", "SAU (Riyadh - Partner Region)", me, false, true},
    };
    return all;
}

const Region& region(std::string_view id) {
    const auto& all = regions();
    auto it = std::find_if(all.begin(), all.end(), [&](const Region& r) { return r.id == id; });
    if (it == all.end()) throw errors::invalid_region_id_not_found("unknown region '" + std::string(id) + "'; see `xpeer region list`");
    return *it;
}

bool is_cross_border(const Region& a, const Region& b) { return a.mainland_china != b.mainland_china; }

}  // namespace xpeer
