#pragma once
// `xpeer --operator upgrade` on the maps and program pins: this build's programs and maps beside
// the running ones, staged, then in place. KernelDataplane::upgrade (loader/controller/
// kernel_upgrade.cpp) runs the steps in the order that keeps a killed upgrade repairable.
#include <optional>
#include <string>
#include <vector>

#include "datapath/bpf_router.h"
#include "datapath/map_migration.h"

namespace xpeer {

// Under the bpffs folder: what an upgrade staged, and inside it the mark that every new map
// and program is staged (so links may run them).
inline constexpr const char* kUpgradeStaging = "upgrading";
inline constexpr const char* kUpgradeSwapping = "swapping";

class RouterUpgrade {
public:
    // Plans from the pins under dir (Error("Datapath.MapLayout") naming a map that cannot be
    // carried over: nothing changed), makes the staging folder (an upgrade began) and loads this
    // build beside the pins. If an upgrade was killed after it staged everything, adopts what it
    // staged instead, to finish it.
    explicit RouterUpgrade(const std::string& dir);

    bool resumed() const { return resumed_; }
    const std::vector<MapStep>& plan() const { return plan_; }
    BpfRouter& next() { return *next_; }  // this build's programs and maps
    // The running build's program; -1 for an optional one it had not.
    int old(Prog p) const { return old_[size_t(p)].get(); }

    // Before any program runs on the new maps: settings (xp_control's compiled_off and mark)
    // copied from the pinned map, and the interrupted-command mark set until commit() restores it.
    void carry_settings();
    // Pins the new maps and programs in the staging folder, then its swapping mark.
    void stage();
    // Once no program runs on the pinned maps: their counters added into the new maps.
    void carry_counters();
    // The pins name the new maps and programs; pins of maps this build has not go; so does the
    // staging folder. Then the mark is what it was before the upgrade.
    void commit();
    // What was done with each map.
    std::vector<MapUpgrade> outcomes() const;

    // A killed upgrade left its staging folder: `check` reports it, `reconcile` finishes it.
    static bool interrupted(const std::string& dir);

private:
    const MapSpec& spec(const std::string& name) const;
    std::string pin(const std::string& name) const { return dir_ + "/" + name; }
    std::string staged(const std::string& name) const { return dir_ + "/" + kUpgradeStaging + "/" + name; }

    std::string dir_;
    std::vector<MapSpec> specs_;
    std::vector<MapStep> plan_;
    bool resumed_ = false;
    std::array<UniqueFd, kRouterProgramCount> old_;
    std::optional<BpfRouter> next_;
    std::vector<size_t> carried_;  // by plan_ index: elements carried over
    bool was_dirty_ = false;       // the interrupted-command mark before the upgrade set it
};

}  // namespace xpeer
