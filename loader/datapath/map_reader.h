#pragma once
// `xpeer maps` on the pinned maps: what each holds for a scope, decoded (datapath/map_rows.h).
// Arrays are read only at the slots and ifindexes the scope names, never whole.
#include <string>
#include <vector>

#include "datapath/bpf_router.h"
#include "model/map_view.h"

namespace xpeer {

// Every map of kRouterMaps (those of MapOwner::Router only if scope.router_wide) with the
// entries the scope covers counted; dir: the bpffs folder they are pinned under.
std::vector<MapSummary> summarize_maps(BpfRouter& dp, const std::string& dir, const MapScope& scope);
// The map `name`'s entries in the scope; Error("InvalidMapName.NotFound") naming the maps if
// there is none of that name.
MapContents read_map(BpfRouter& dp, const std::string& dir, const std::string& name, const MapScope& scope);

}  // namespace xpeer
