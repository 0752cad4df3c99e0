#pragma once
// The router's maps as the layers above datapath/ know them: names and roles, never map structs.
#include <cstdint>
#include <string>

namespace xpeer {

// Whose entries a map holds, which decides who may read them.
enum class MapOwner {
    Vpc,      // keyed by a VPC, or by a vSwitch link of one: its owner's
    Peering,  // keyed by a peering connection's slot: both parties'
    Router,   // every account's traffic together: the operator's
};

// One map of the router, as the data plane defines it.
struct MapInfo {
    std::string name;      // its pin under the bpffs folder: xp_routes_v4
    std::string type;      // lpm_trie, array, lru_hash
    MapOwner owner = MapOwner::Router;
    uint32_t per_cpu = 0;  // elements of each CPU id's region; 0: not a per-CPU map
    std::string holds;     // what its entries are, in a line
};

}  // namespace xpeer
