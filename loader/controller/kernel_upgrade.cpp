// KernelDataplane::upgrade: this build's programs in place of the running ones, over the pinned
// maps where their layout is this build's, over new maps filled from the store where it is not.
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "compiler/compiler.h"
#include "controller/kernel_dataplane.h"
#include "datapath/router_upgrade.h"
#include "model/errors.h"
#include "model/placement.h"
#include "netns/pinned_tcx.h"
#include "netns/pinned_xdp.h"

namespace xpeer {
namespace {

// The program an end's pinned link runs now, or 0.
uint32_t linked_program(const std::string& pin, bool tc) {
    const auto s = tc ? pinned_tcx::state(pin) : pinned_xdp::state(pin);
    return s ? s->prog_id : 0;
}

}  // namespace

// The order, and what a command killed after each step leaves (the store is the truth; the new
// build's commands refuse pins of another layout, so until step 6 only `check`, which reports
// the staging folder, and `reconcile`, which finishes the upgrade, get past them):
//  1. Plan from the pins: a map of link counters that cannot be carried over is refused by name
//     here, before anything changed. Make the staging folder, which says from now on that an
//     upgrade began (`check` reports it, `reconcile` finishes the upgrade). Load this build's
//     programs over the pins the plan keeps and over new, unpinned maps elsewhere.  Killed: the
//     kernel frees what was loaded; the next upgrade empties the folder and starts over.
//  2. Fill every new map before any program uses it: xp_control's settings copied and its mark
//     set, then reconcile from the store through a view of the new maps (on the kept pins it
//     writes what the store says, as `reconcile` would), so the new programs' first packet sees
//     whole tables.  Killed: as in 1 (the kept maps hold the store's entries).
//  3. Pin the new maps and programs in the staging folder, then its swapping mark.  Killed
//     before the mark: nothing runs what is staged; the next upgrade empties it and starts over.
//  4. Swap the programs on every link end, each in one step (bpf_link_update, old program
//     expected). Until the last, links on the old programs count into the old maps, links on the
//     new ones into the new maps; both route the same, from the same store.  Killed: a link runs
//     either; the next upgrade (or reconcile) sees the mark, adopts the staged objects and swaps
//     the rest.
//  5. Once no program runs on the old maps (after the swap, a grace period for packets in
//     flight), add their counters into the new maps, zeroing each old element as it is carried,
//     so that a resumed upgrade adds only what was not carried (a kill between an element's add
//     and its zeroing counts that one element twice).  The agent samples counters for billing
//     under the lock this command holds, so it never reads a map half carried.  Killed: resumed
//     as in 4.
//  6. Move the staged pins in place (rename(2), one at a time: the maps, then the programs),
//     remove the pins of maps this build has not (no program uses them since 4), remove the
//     staging folder, put the mark back as it was before (a command killed before the upgrade
//     is still repaired by the next one).  Killed: resumed as in 4, the moved pins kept by the
//     plan; after the folder went, the mark makes the next command reconcile everything.
UpgradeResult KernelDataplane::upgrade(const Snapshot& snapshot, const PortMap& ports) {
    if (!std::filesystem::exists(config_.bpffs_dir + "/" + kRouterProgPin))
        throw errors::datapath_not_loaded("nothing is pinned under " + config_.bpffs_dir +
                                          " to upgrade; the first command that needs the data plane loads this build");
    claim(config_.bpffs_dir);
    router_.reset();
    router_opened_ = false;
    RouterUpgrade up(config_.bpffs_dir);
    BpfRouter& next = up.next();
    UpgradeResult r;
    r.resumed = up.resumed();
    const bool tc = config_.tc_router;
    r.old_router_id = BpfRouter::program_id(tc ? up.old(Prog::RouterTc) : up.old(Prog::Router));
    r.new_router_id = BpfRouter::program_id(tc ? next.router_tc_fd() : next.router_fd());

    up.carry_settings();
    r.maps_written = reconcile(compile(snapshot, ports), next, Counters::Adopt);
    up.stage();

    const auto vswitches = vswitches_here(snapshot);
    for (const auto& vpc : vpcs_here(snapshot)) {
        for (const auto& vsw : vswitches) {
            if (vsw.vpc_id != vpc.id) continue;
            const auto spec = vswitch_link_spec(config_, vpc, vsw);
            if (!links::find_vswitch_veth(spec)) continue;  // drift: reconcile makes the link, with the pinned programs
            if (tc) {
                const std::string pin = xdp_link_pin(config_, spec.datapath_ifname);
                if (linked_program(pin, true) == BpfRouter::program_id(next.router_tc_fd())) {
                    ++r.swapped;  // by the upgrade this one resumes
                } else if (pinned_tcx::update(pin, next.router_tc_fd(), up.old(Prog::RouterTc))) {
                    ++r.swapped;
                } else {
                    spdlog::warn("{} in {} did not run the pinned TC router through its pinned link: attached the new one",
                                 spec.datapath_ifname, spec.datapath_netns);
                    pinned_xdp::detach(xdp_link_pin(config_, spec.vpc_ifname));
                    pinned_tcx::attach(pin, spec.datapath_netns, spec.datapath_ifname, next.router_tc_fd());
                    ++r.attached;
                }
                continue;
            }
            const std::pair<const std::string*, const std::string*> ends[] = {{&spec.datapath_netns, &spec.datapath_ifname},
                                                                              {&spec.vpc_netns, &spec.vpc_ifname}};
            const std::pair<int, int> progs[] = {{next.router_fd(), up.old(Prog::Router)}, {next.vpc_side_fd(), up.old(Prog::VpcSide)}};
            for (int side = 0; side < 2; ++side) {
                const auto& [ns, ifname] = ends[side];
                const std::string pin = xdp_link_pin(config_, *ifname);
                if (linked_program(pin, false) == BpfRouter::program_id(progs[side].first)) {
                    ++r.swapped;
                } else if (pinned_xdp::update(pin, progs[side].first, progs[side].second)) {
                    ++r.swapped;
                } else {
                    spdlog::warn("{} in {} did not run the pinned program through its pinned link: attached the new one", *ifname, *ns);
                    pinned_xdp::attach(pin, *ns, *ifname, progs[side].first, config_.xdp_generic);
                    ++r.attached;
                }
            }
        }
    }
    // The underlay's decapsulation, where this host's agent attached it: in XDP, or on tc ingress.
    if (const std::string pin = underlay_link_pin(config_); pinned_xdp::state(pin) || pinned_tcx::state(pin)) {
        const bool on_tc = pinned_tcx::state(pin).has_value();
        const Prog prog = on_tc ? Prog::UnderlayTc : Prog::Underlay;
        const int fd = next.prog_fd(prog);
        if (linked_program(pin, on_tc) == BpfRouter::program_id(fd) ||
            (on_tc ? pinned_tcx::update(pin, fd, up.old(prog)) : pinned_xdp::update(pin, fd, up.old(prog))))
            ++r.swapped;
        else
            spdlog::warn("the underlay link {} did not run the pinned program: the agent attaches the new one when it starts", pin);
    }
    // A program runs a packet to its end inside one RCU read section (a NAPI poll, a softirq);
    // those that started before the swap are long done after this.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    up.carry_counters();
    up.commit();
    r.maps = up.outcomes();
    return r;
}

bool KernelDataplane::upgrade_interrupted() { return RouterUpgrade::interrupted(config_.bpffs_dir); }

}  // namespace xpeer
