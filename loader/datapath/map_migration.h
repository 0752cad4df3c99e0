#pragma once
// What `xpeer --operator upgrade` does with each map: a pure function from the maps pinned by the
// running build and this build's maps to one step a map. No kernel objects: tests/unit runs it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xpeer {

// What the kernel's bpf_map_info says of a map.
struct MapLayout {
    uint32_t type = 0, key_size = 0, value_size = 0, max_entries = 0, flags = 0;
    bool operator==(const MapLayout&) const = default;
};

// A member of a map's value: its name, where it is and how many bytes it takes.
struct ValueField {
    std::string name;
    uint32_t offset = 0, size = 0;
};

// A map pinned under the bpffs folder, as the running build made it.
struct PinnedMap {
    std::string name;
    MapLayout layout;
    // The value's members, from the map's BTF; nullopt when it has none (a map made without
    // BTF, by bpftool map create): then only its sizes are known.
    std::optional<std::vector<ValueField>> fields;
};

// What a map of this build holds, so what an upgrade may carry over from its pinned predecessor.
enum class MapRole {
    State,     // desired state: written from the store (routes, peerings, compiled lookups)
    Counters,  // counters `carried` are added to the new map's (links, verdicts, ports' rx and tx)
    Settings,  // `carried` is copied once, the rest written from the store (xp_control)
    Scratch,   // the router's own state, fine to start afresh (policers' buckets start full)
};

struct MapSpec {
    std::string name;
    MapLayout layout;      // max_entries already multiplied by the CPU ids for a per-CPU map
    uint32_t per_cpu = 0;  // elements per CPU id; 0: not per CPU
    MapRole role = MapRole::State;
    std::vector<ValueField> carried;  // Counters: 64-bit counters (or arrays of them); Settings: fields
    bool must_carry = false;          // refuse the upgrade when `carried` cannot be read (billing)
    bool from_store = true;           // written from the store (its entries, or some of their fields)
    // Maps whose values index each other (the compiled lookup's roots, nodes and results): one
    // new, all new, so that the running programs never read a shared map written for others.
    std::string group;
};

enum class MapAction {
    Keep,         // the pin, as it is: the new programs use it
    Create,       // a new map, written from the store; nothing carried over (a map new in this build, or none readable)
    Migrate,      // a new map, written from the store, with `moves` carried over from the pinned one
    RemoveStale,  // a pin of a map this build has not: removed once no program uses it
};

// A field carried from the pinned value (from) into the new one (to).
struct FieldMove {
    std::string name;
    uint32_t from = 0, to = 0, size = 0;
};

struct MapStep {
    std::string name;
    MapAction action = MapAction::Keep;
    std::string why;                  // for Create, Migrate and RemoveStale: what differs
    std::vector<FieldMove> moves;     // Migrate: what is carried over
    std::vector<std::string> zeroed;  // fields of `carried` that start from zero (not in the pinned value, or unreadable)
    // Elements carried: keys cpu * old_per_cpu + i -> cpu * new_per_cpu + i for i < elements
    // (not per CPU: i -> i, cpus = 1).
    uint32_t cpus = 1, old_per_cpu = 0, new_per_cpu = 0, elements = 0;
    bool grouped = false;  // Create only because another map of its group is new: the pin has this build's layout
};

// What an upgrade did with one map, for its output: kept, created, migrated, removed stale.
struct MapUpgrade {
    std::string name, action, detail;
    size_t elements = 0;  // migrated: elements that held something to carry
};

// One step for every map of `build` (in its order), then one for every pin of `pinned` that
// `build` has not. Throws Error("Datapath.MapLayout") naming the map when a must_carry map's
// pinned predecessor has another layout that cannot be carried over: nothing may change then.
std::vector<MapStep> plan_upgrade(const std::vector<MapSpec>& build, const std::vector<PinnedMap>& pinned, uint32_t cpu_ids);

std::string to_string(MapAction a);
// "type 2 -> 2, value size 24 -> 8, ...": the fields of the layouts that differ.
std::string layout_difference(const MapLayout& pinned, const MapLayout& build);

}  // namespace xpeer
