#include "datapath/map_migration.h"

#include <algorithm>

#include "model/errors.h"

namespace xpeer {
namespace {

std::string names_of(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Which elements of the pinned map become which of the new one; false if they cannot be told
// (another map type or key, or a per-CPU map whose size is no multiple of the CPU ids).
bool geometry(const MapSpec& spec, const PinnedMap& pinned, uint32_t cpu_ids, MapStep& step, std::string& why) {
    if (pinned.layout.type != spec.layout.type || pinned.layout.key_size != spec.layout.key_size) {
        why = "its type or key differs";
        return false;
    }
    if (spec.per_cpu == 0) {
        step.cpus = 1;
        step.old_per_cpu = pinned.layout.max_entries;
        step.new_per_cpu = spec.layout.max_entries;
    } else {
        if (cpu_ids == 0 || pinned.layout.max_entries % cpu_ids != 0) {
            why = std::to_string(pinned.layout.max_entries) + " elements are no region per CPU id of " + std::to_string(cpu_ids);
            return false;
        }
        step.cpus = cpu_ids;
        step.old_per_cpu = pinned.layout.max_entries / cpu_ids;
        step.new_per_cpu = spec.per_cpu;
    }
    step.elements = std::min(step.old_per_cpu, step.new_per_cpu);
    return true;
}

// The fields of spec.carried found in the pinned value: by name (and size) in its BTF, or, with
// no BTF, all of them where they are now if the value has this build's size. Without names, a
// value of another size could have anything anywhere: nothing is read from it.
bool resolve_fields(const MapSpec& spec, const PinnedMap& pinned, MapStep& step, std::string& why) {
    if (!pinned.fields && pinned.layout.value_size != spec.layout.value_size) {
        why = "its value has no BTF and another size, so its fields cannot be told";
        return false;
    }
    for (const auto& want : spec.carried) {
        if (!pinned.fields) {
            step.moves.push_back({want.name, want.offset, want.offset, want.size});
            continue;
        }
        auto it = std::ranges::find_if(*pinned.fields, [&](const ValueField& f) { return f.name == want.name; });
        // A field that grew (an array of counters with more reasons) takes the old one's bytes
        // at its start: what the old build counted, each where this build counts it.
        if (it != pinned.fields->end() && it->size <= want.size && uint64_t{it->offset} + it->size <= pinned.layout.value_size)
            step.moves.push_back({want.name, it->offset, want.offset, it->size});
        else
            step.zeroed.push_back(want.name);
    }
    if (step.moves.empty()) {
        why = "its value has none of the fields " + names_of(step.zeroed);
        return false;
    }
    return true;
}

MapStep changed(const MapSpec& spec, const PinnedMap& pinned, uint32_t cpu_ids) {
    MapStep step{spec.name, MapAction::Create, layout_difference(pinned.layout, spec.layout)};
    if (step.why.empty()) step.why = "its value's fields moved within the same size";
    if (spec.role == MapRole::State || spec.role == MapRole::Scratch || spec.carried.empty()) return step;
    std::string unreadable;
    if (geometry(spec, pinned, cpu_ids, step, unreadable) && resolve_fields(spec, pinned, step, unreadable)) {
        if (spec.must_carry && step.old_per_cpu > step.new_per_cpu)
            throw errors::datapath_map_layout(spec.name + ": the pinned map has " + std::to_string(step.old_per_cpu) +
                                              " elements per CPU id, this build " + std::to_string(step.new_per_cpu) +
                                              ": the counters beyond them would be lost; nothing was changed");
        step.action = MapAction::Migrate;
        return step;
    }
    if (spec.must_carry)
        throw errors::datapath_map_layout(spec.name + ": the pinned map (" + step.why + ") cannot be carried over: " + unreadable +
                                          "; its counters would be lost, so nothing was changed (`xpeer teardown` then "
                                          "`xpeer reconcile` rebuilds the data plane, counters from zero)");
    step.moves.clear();
    step.zeroed.clear();
    for (const auto& f : spec.carried) step.zeroed.push_back(f.name);
    step.elements = 0;
    step.why += "; not carried over (" + unreadable + ")";
    return step;
}

// Whether the pinned value holds every field this build carries where this build has it. A
// value of the same size may still have been laid out anew (xp_verdicts grew by four reasons
// into the size of a build that had a cache): its BTF, when it has one, tells.
bool fields_in_place(const MapSpec& spec, const PinnedMap& pinned) {
    if (!pinned.fields) return true;
    return std::ranges::all_of(spec.carried, [&](const ValueField& want) {
        return std::ranges::any_of(
            *pinned.fields, [&](const ValueField& f) { return f.name == want.name && f.offset == want.offset && f.size == want.size; });
    });
}

}  // namespace

std::vector<MapStep> plan_upgrade(const std::vector<MapSpec>& build, const std::vector<PinnedMap>& pinned, uint32_t cpu_ids) {
    std::vector<MapStep> out;
    for (const auto& spec : build) {
        auto it = std::ranges::find_if(pinned, [&](const PinnedMap& p) { return p.name == spec.name; });
        if (it == pinned.end()) {
            out.push_back({spec.name, MapAction::Create, "not pinned: new in this build"});
        } else if (it->layout == spec.layout && fields_in_place(spec, *it)) {
            out.push_back({spec.name, MapAction::Keep});
        } else {
            out.push_back(changed(spec, *it, cpu_ids));
        }
    }
    // A kept map of a group with a new member would be written by the fill for the new programs
    // while the old ones still read it beside their own members: it is new too.
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i].action != MapAction::Keep || build[i].group.empty()) continue;
        for (size_t j = 0; j < out.size(); ++j)
            if (j != i && build[j].group == build[i].group && out[j].action != MapAction::Keep) {
                out[i] = {build[i].name, MapAction::Create, "new with " + build[j].name + ", whose values it indexes or is indexed by"};
                out[i].grouped = true;
                break;
            }
    }
    for (const auto& p : pinned)
        if (std::ranges::none_of(build, [&](const MapSpec& s) { return s.name == p.name; }))
            out.push_back({p.name, MapAction::RemoveStale, "not a map of this build"});
    return out;
}

std::string to_string(MapAction a) {
    switch (a) {
        case MapAction::Keep:
            return "kept";
        case MapAction::Create:
            return "created";
        case MapAction::Migrate:
            return "migrated";
        case MapAction::RemoveStale:
            return "removed stale";
    }
    return "?";
}

std::string layout_difference(const MapLayout& pinned, const MapLayout& build) {
    const std::pair<const char*, std::pair<uint32_t, uint32_t>> fields[] = {
        {"type", {pinned.type, build.type}},
        {"key size", {pinned.key_size, build.key_size}},
        {"value size", {pinned.value_size, build.value_size}},
        {"entries", {pinned.max_entries, build.max_entries}},
        {"flags", {pinned.flags, build.flags}},
    };
    std::string out;
    for (const auto& [field, values] : fields)
        if (values.first != values.second)
            out += (out.empty() ? "" : ", ") + std::string(field) + " " + std::to_string(values.first) + " -> " +
                   std::to_string(values.second);
    return out;
}

}  // namespace xpeer
