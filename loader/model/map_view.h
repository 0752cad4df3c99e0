#pragma once
// What `xpeer maps` shows of the router's maps: plain rows that name the store's ids, never the
// maps' own structs (those stay in datapath/).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.h"

namespace xpeer {

// Whose entries a map holds, which decides who may read them.
enum class MapOwner {
    Vpc,      // keyed by a VPC, or by a vSwitch veth of one: its owner's
    Peering,  // keyed by a peering connection's slot: both parties'
    Router,   // every account's traffic together: the operator's
};

// One map of the router, as the data plane defines it.
struct MapInfo {
    std::string name;  // its pin under the bpffs folder: xp_routes_v4
    std::string type;  // lpm_trie, array, lru_hash
    MapOwner owner = MapOwner::Router;
    uint32_t per_cpu = 0;  // elements of each CPU id's region; 0: not a per-CPU map
    std::string holds;     // what its entries are, in a line
};

// Which entries to decode: those of the objects a caller may see, named by their ids.
struct MapScope {
    bool whole = false;                             // every entry, those no object of the store names too (the operator's)
    bool router_wide = false;                       // the maps of every account's traffic together (MapOwner::Router) too
    std::map<uint32_t, std::string> vpcs;           // VPC key -> id: routes, ports and cached routes of these VPCs
    std::map<uint32_t, std::string> vswitches;      // datapath-side ifindex -> vSwitch id: their ports
    std::map<uint32_t, std::string> peerings;       // slot -> peering connection id
    std::optional<uint32_t> routes_via;             // only the routes through this peering slot (--peering)
    std::map<uint32_t, std::string> vpc_names;      // VPC key -> id of every VPC an entry may name (a peering's far end)
    std::map<uint32_t, std::string> peering_names;  // slot -> id of every connection a route may name
};

struct MapSummary {
    MapInfo info;
    std::string path;
    uint64_t used = 0;         // entries in the scope: an array's are the slots its objects own
    uint64_t max_entries = 0;  // a per-CPU map's: one CPU id's
};

struct MapContents {
    MapSummary summary;
    std::vector<nlohmann::ordered_json> rows;  // an entry each; for the compiled lookups' nodes, a VPC's trie each
};

// Error("InvalidMapName.NotFound") for `name`, listing the maps of `table`.
Error unknown_map(const std::string& name, const std::vector<MapInfo>& table);

}  // namespace xpeer
