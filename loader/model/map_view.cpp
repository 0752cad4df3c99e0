#include "model/map_view.h"

#include "model/errors.h"

namespace xpeer {

Error unknown_map(const std::string& name, const std::vector<MapInfo>& table) {
    std::string known;
    for (const auto& m : table) known += (known.empty() ? "" : ", ") + m.name;
    return errors::invalid_map_name_not_found("no map named '" + name + "'; the router's maps are " + known);
}

}  // namespace xpeer
