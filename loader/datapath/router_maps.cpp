#include "datapath/router_maps.h"

namespace xpeer {

const RouterMap* find_router_map(const std::string& name) {
    for (const auto& m : kRouterMaps)
        if (name == m.name) return &m;
    return nullptr;
}

MapInfo info_of(const RouterMap& m) {
    const char* type = libbpf_bpf_map_type_str(m.type);
    return MapInfo{m.name, type ? type : std::to_string(m.type), m.owner, m.per_cpu, m.holds};
}

std::vector<MapInfo> router_map_infos() {
    std::vector<MapInfo> out;
    for (const auto& m : kRouterMaps) out.push_back(info_of(m));
    return out;
}

}  // namespace xpeer
