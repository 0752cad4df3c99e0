// KernelDataplane::upgrade: this build's programs in place of the running ones, over the same maps.
#include <spdlog/spdlog.h>

#include "controller/kernel_dataplane.h"
#include "netns/pinned_tcx.h"
#include "netns/pinned_xdp.h"

namespace xpeer {

// The new programs are pinned first, then swapped in by bpf_link_update on each end's pinned
// link, which no packet sees half done: a command killed in between
// leaves links running the old programs, which `check` reports against the pins and reconcile
// attaches, so the data plane converges on the new build.
UpgradeResult KernelDataplane::upgrade(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) {
    router();  // the pins exist
    auto swap = BpfRouter::replace_programs(config_.bpffs_dir);
    UpgradeResult r;
    r.old_router_id = BpfRouter::program_id(config_.tc_router ? swap.old_router_tc.get() : swap.old_router.get());
    r.new_router_id = BpfRouter::program_id(config_.tc_router ? swap.router_tc.get() : swap.router.get());
    for (const auto& vpc : vpcs) {
        for (const auto& vsw : vswitches) {
            if (vsw.vpc_id != vpc.id) continue;
            const auto spec = vswitch_link_spec(config_, vpc, vsw);
            if (!links::find_vswitch_veth(spec)) continue;  // drift: reconcile makes the link, with the pinned programs
            if (config_.tc_router) {
                const std::string pin = xdp_link_pin(config_, spec.datapath_ifname);
                if (pinned_tcx::update(pin, swap.router_tc.get(), swap.old_router_tc.get())) {
                    ++r.swapped;
                } else {
                    spdlog::warn("{} in {} did not run the pinned TC router through its pinned link: attached the new one",
                                 spec.datapath_ifname, spec.datapath_netns);
                    pinned_xdp::detach(xdp_link_pin(config_, spec.vpc_ifname));
                    pinned_tcx::attach(pin, spec.datapath_netns, spec.datapath_ifname, swap.router_tc.get());
                    ++r.attached;
                }
                continue;
            }
            const std::pair<const std::string*, const std::string*> ends[] = {{&spec.datapath_netns, &spec.datapath_ifname},
                                                                              {&spec.vpc_netns, &spec.vpc_ifname}};
            const std::pair<int, int> progs[] = {{swap.router.get(), swap.old_router.get()},
                                                 {swap.vpc_side.get(), swap.old_vpc_side.get()}};
            for (int side = 0; side < 2; ++side) {
                const auto& [ns, ifname] = ends[side];
                const std::string pin = xdp_link_pin(config_, *ifname);
                if (pinned_xdp::update(pin, progs[side].first, progs[side].second)) {
                    ++r.swapped;
                } else {
                    spdlog::warn("{} in {} did not run the pinned program through its pinned link: attached the new one", *ifname, *ns);
                    pinned_xdp::attach(pin, *ns, *ifname, progs[side].first, config_.xdp_generic);
                    ++r.attached;
                }
            }
        }
    }
    router_.reset();  // the pins name the new programs now
    router_opened_ = false;
    return r;
}

}  // namespace xpeer
