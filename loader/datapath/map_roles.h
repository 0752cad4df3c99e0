#pragma once
// What each of this build's maps holds, for `xpeer --operator upgrade`: written from the store,
// counters to carry over, settings to copy, or the router's scratch state.
#include "datapath/map_migration.h"
#include "datapath/router_maps.h"

namespace xpeer {

// The upgrade's description of map m of this build, whose kernel layout is `layout`.
MapSpec map_spec(const RouterMap& m, const MapLayout& layout);

}  // namespace xpeer
