#include "controller/dry_run.h"

#include <string>

#include "controller/config.h"

namespace xpeer {

void DryRun::create_vpc(const Vpc& vpc) { steps_.push_back("create namespace for " + vpc.id); }

void DryRun::delete_vpc(const Vpc& vpc) { steps_.push_back("remove the namespace of " + vpc.id + " and everything in it"); }

PortInfo DryRun::create_vswitch(const Vpc& vpc, const VSwitch& vsw) {
    steps_.push_back("create veth " + datapath_ifname(vsw.id) + " <-> " + vpc_ifname(vsw.id) + " into " + vpc.id + ", gateway " +
                     vsw.cidr.str() + ", attach XDP");
    return {};
}

void DryRun::delete_vswitch(const Vpc&, const VSwitch& vsw) {
    steps_.push_back("delete veth " + datapath_ifname(vsw.id) + " and the source rules of " + vsw.id);
}

void DryRun::add_instance(const Vpc& vpc, const VSwitch&, const Instance& inst) {
    steps_.push_back("add address " + (inst.ip ? inst.ip->str() : std::string()) + (inst.ipv6 ? " " + inst.ipv6->str() : std::string()) +
                     " in " + vpc.id);
}

void DryRun::remove_instance(const Vpc& vpc, const VSwitch&, const Instance& inst) {
    steps_.push_back("remove address " + (inst.ip ? inst.ip->str() : std::string()) + (inst.ipv6 ? " " + inst.ipv6->str() : std::string()) +
                     " in " + vpc.id);
}

ReconcileResult DryRun::apply(const Snapshot& snapshot, const PortMap& ports) {
    // Each apply is against the maps as they are: only the command's last one is its effect.
    ReconcileResult r = kernel_.plan(snapshot, ports);
    delta_total_ = {};
    describe_maps(r);
    return r;
}

ReconcileResult DryRun::apply_delta(const TablesDelta& delta, const Tables*) {
    // Each delta is against the maps as the previous ones left them: their writes add up.
    ReconcileResult r = delta.counts();
    delta_total_.added += r.added;
    delta_total_.changed += r.changed;
    delta_total_.removed += r.removed;
    describe_maps(delta_total_);
    return r;
}

void DryRun::describe_maps(const ReconcileResult& r) {
    std::erase_if(steps_, [](const std::string& s) { return s.rfind("maps: ", 0) == 0; });
    steps_.push_back("maps: " + std::to_string(r.added) + " added, " + std::to_string(r.changed) + " changed, " +
                     std::to_string(r.removed) + " removed");
}

void DryRun::remove_orphans(const std::vector<Vpc>&, const std::vector<VSwitch>&) {
    steps_.push_back("remove namespaces, links and rules of killed commands");
}

uint32_t DryRun::attach_underlay(const std::string& ifname) {
    steps_.push_back("would attach the underlay's decapsulation to " + ifname);
    return 0;
}

void DryRun::teardown(const std::vector<Vpc>& vpcs) {
    steps_.push_back("remove " + std::to_string(vpcs.size()) + " VPC namespaces, the datapath namespace and the pins");
}

UpgradeResult DryRun::upgrade(const Snapshot& snapshot, const PortMap&) {
    steps_.push_back(
        "load this build's programs over the pinned maps of its layout and over new maps filled from the store for the others, "
        "swap them in on both ends of " +
        std::to_string(snapshot.vswitches.size()) +
        " vSwitch veth(s), carry the counters over, and pin the new programs and maps in place of the old ones");
    return {};
}

}  // namespace xpeer
