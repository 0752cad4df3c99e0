// What the kernel holds against what the store says: drift (KernelDataplane::check) and what a killed
// command leaves behind (KernelDataplane::remove_orphans).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "compiler/compiler.h"
#include "controller/kernel_dataplane.h"
#include "datapath/map_drift.h"
#include "model/placement.h"
#include "netns/netns.h"
#include "netns/pinned_tcx.h"
#include "netns/pinned_xdp.h"
#include "netns/policy_rules.h"
#include "netns/xdp.h"

namespace xpeer {
namespace {

struct OrphanLink {
    std::string netns, ifname;
};
struct OrphanRule {
    std::string netns;
    links::PolicyRule rule;
};
// Kernel objects of this store's naming that belong to nothing in the store.
struct Orphans {
    std::vector<std::string> namespaces;
    std::vector<std::string> link_pins;  // pinned BPF links of no vSwitch's end
    std::vector<OrphanLink> links;
    std::vector<OrphanRule> rules;
    std::vector<OrphanRule> duplicate_rules;  // a vSwitch's rule more than once: removed, then made again
};

// The source rules a VPC's vSwitches need, each once.
std::vector<links::PolicyRule> wanted_rules(const VSwitch& vsw) {
    std::vector<links::PolicyRule> out{links::vswitch_rule(vsw.cidr, vswitch_table(vsw.number))};
    if (vsw.ipv6_cidr) out.push_back(links::vswitch_rule(*vsw.ipv6_cidr, vswitch_table(vsw.number)));
    return out;
}

std::vector<links::PolicyRule> rules_in(const std::string& ns) {
    const uint32_t lowest = links::vswitch_rule({}, vswitch_table(0)).priority;
    return links::list_rules(ns, lowest, lowest + XP_MAX_PORTS - 1);
}

Orphans find_orphans(const Config& config, const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) {
    Orphans o;
    const std::string prefix = vpc_netns_name(config, "vpc-");
    for (const auto& name : netns::list()) {
        if (name.rfind(prefix, 0) != 0) continue;
        bool known = std::any_of(vpcs.begin(), vpcs.end(), [&](const Vpc& v) { return vpc_netns_name(config, v.id) == name; });
        if (!known) o.namespaces.push_back(name);
    }
    std::vector<std::string> known_pins;
    for (const auto& vsw : vswitches)
        if (std::ranges::any_of(vpcs, [&](const Vpc& v) { return v.id == vsw.vpc_id; }))
            for (const auto& ifname : {datapath_ifname(vsw.id), vpc_ifname(vsw.id)}) known_pins.push_back(ifname);
    for (const auto& name : pinned_xdp::list(xdp_links_dir(config)))
        if (std::ranges::find(known_pins, name) == known_pins.end()) o.link_pins.push_back(xdp_links_dir(config) + "/" + name);
    // A veth is made with its VPC end already in the VPC namespace, so every vSwitch veth,
    // whole or half-configured, shows there; the datapath namespace may be shared with other stores.
    for (const auto& vpc : vpcs) {
        const std::string ns = vpc_netns_name(config, vpc.id);
        std::vector<std::string> known_links;
        std::vector<links::PolicyRule> known_rules;
        for (const auto& vsw : vswitches) {
            if (vsw.vpc_id != vpc.id) continue;
            known_links.push_back(vpc_ifname(vsw.id));
            for (const auto& r : wanted_rules(vsw)) known_rules.push_back(r);
        }
        for (const auto& ifname : links::list_links(ns, vpc_ifname("")))
            if (std::ranges::find(known_links, ifname) == known_links.end()) o.links.push_back({ns, ifname});
        const auto rules = rules_in(ns);
        for (const auto& rule : rules)
            if (rule.from.prefix_len != 0 && std::ranges::find(known_rules, rule) == known_rules.end()) o.rules.push_back({ns, rule});
        for (const auto& rule : known_rules)
            if (std::ranges::count(rules, rule) > 1) o.duplicate_rules.push_back({ns, rule});
    }
    return o;
}

// An end runs the pinned program through the link pinned for it: a program attached otherwise
// (ip link set xdp) could be displaced by anyone, and an upgrade would not swap it.
void check_program(const Config& config, const std::string& ns, const links::VethEnd& end, uint32_t want, const std::string& what,
                   const std::string& name, std::vector<Difference>& out) {
    const uint32_t running = links::xdp_program_id(ns, end.name);
    if (running != want) {
        out.push_back({name, what + " is not attached on " + end.name + (running ? " (program " + std::to_string(running) + " is)" : "")});
        return;
    }
    const std::string pin = xdp_link_pin(config, end.name);
    const auto held = pinned_xdp::state(pin);
    if (!held || held->ifindex != end.ifindex || held->prog_id != running)
        out.push_back({name, what + " on " + end.name + " is not attached through its pinned BPF link " + pin});
}

// The TC twin runs on tc ingress of the datapath end through the link pinned for it, and no XDP
// program runs before it there.
void check_tc_program(const Config& config, const std::string& ns, const links::VethEnd& end, uint32_t want, const std::string& name,
                      std::vector<Difference>& out) {
    const auto running = pinned_tcx::programs(ns, end.name);
    if (want == 0 || std::ranges::find(running, want) == running.end()) {
        out.push_back({name, "the TC router is not attached on " + end.name + " (tc ingress)"});
        return;
    }
    if (const uint32_t xdp = links::xdp_program_id(ns, end.name))
        out.push_back({name, "XDP program " + std::to_string(xdp) + " runs on " + end.name + " before the TC router"});
    const std::string pin = xdp_link_pin(config, end.name);
    const auto held = pinned_tcx::state(pin);
    if (!held || held->ifindex != end.ifindex || held->prog_id != want)
        out.push_back({name, "the TC router on " + end.name + " is not attached through its pinned BPF link " + pin});
}

std::string rule_name(const links::PolicyRule& r, const std::string& ns) {
    return "rule from " + r.from.str() + " lookup " + std::to_string(r.table) + " priority " + std::to_string(r.priority) + " in " + ns;
}

}  // namespace

std::vector<Difference> KernelDataplane::check(const Snapshot& snapshot, const PortMap& ports) {
    std::vector<Difference> out;
    if (upgrade_interrupted()) {  // the pins are part the old build's, part this one's: nothing more to compare yet
        out.push_back({"upgrade in " + config_.bpffs_dir, "interrupted before it finished; `xpeer reconcile` finishes it"});
        return out;
    }
    auto& dp = router_if_loaded();
    if (!dp) {
        if (!snapshot.vpcs.empty()) out.push_back({"pins in " + config_.bpffs_dir, "missing: no router programs or maps"});
    } else if (dp->read_control().dirty) {
        out.push_back({"xp_control", "marked dirty: a command was interrupted before it finished"});
    }
    if (!snapshot.vswitches.empty() && !config_.datapath_netns.empty() && !netns::exists(config_.datapath_netns))
        out.push_back({"netns " + config_.datapath_netns, "missing (the datapath namespace)"});

    const uint32_t router_id = dp ? BpfRouter::program_id(dp->router_fd()) : 0,
                   vpc_side_id = dp ? BpfRouter::program_id(dp->vpc_side_fd()) : 0,
                   router_tc_id = dp ? BpfRouter::program_id(dp->router_tc_fd()) : 0;
    const auto vswitches = vswitches_here(snapshot);
    for (const auto& vpc : vpcs_here(snapshot)) {
        const std::string ns = vpc_netns_name(config_, vpc.id);
        if (!netns::exists(ns)) {
            out.push_back({"netns " + ns, "missing (" + vpc.id + ")"});
            continue;
        }
        const auto rules = rules_in(ns);
        for (const auto& vsw : vswitches) {
            if (vsw.vpc_id != vpc.id) continue;
            const auto spec = vswitch_link_spec(config_, vpc, vsw);
            const auto link = links::find_vswitch_veth(spec);
            const std::string name = "link " + spec.datapath_ifname + " (" + vsw.id + ")";
            if (!link) {
                out.push_back({name, "missing, or one of its ends is"});
            } else {
                auto recorded = ports.find(vsw.id);
                if (recorded == ports.end() || recorded->second.ifindex != link->datapath.ifindex)
                    out.push_back({name, "ifindex " + std::to_string(link->datapath.ifindex) + ", the store records " +
                                             (recorded == ports.end() ? "none" : std::to_string(recorded->second.ifindex))});
                if (dp && config_.tc_router) {
                    check_tc_program(config_, spec.datapath_netns, link->datapath, router_tc_id, name, out);
                    if (const uint32_t xdp = links::xdp_program_id(spec.vpc_netns, link->vpc.name))
                        out.push_back({name, "XDP program " + std::to_string(xdp) + " runs on " + link->vpc.name +
                                                 ", where the TC router needs none"});
                } else if (dp) {
                    check_program(config_, spec.datapath_netns, link->datapath, router_id, "the router program", name, out);
                    check_program(config_, spec.vpc_netns, link->vpc, vpc_side_id, "the VPC-side program", name, out);
                }
            }
            for (const auto& want : wanted_rules(vsw)) {
                auto n = std::ranges::count(rules, want);
                if (n != 1) out.push_back({rule_name(want, ns), n == 0 ? "missing" : std::to_string(n) + " copies"});
            }
        }
    }
    const auto orphans = find_orphans(config_, vpcs_here(snapshot), vswitches);
    for (const auto& ns : orphans.namespaces) out.push_back({"netns " + ns, "not in the store"});
    for (const auto& pin : orphans.link_pins) out.push_back({"pinned BPF link " + pin, "not in the store"});
    for (const auto& l : orphans.links) out.push_back({"link " + l.ifname + " in " + l.netns, "not in the store"});
    for (const auto& r : orphans.rules) out.push_back({rule_name(r.rule, r.netns), "not in the store"});

    if (dp)
        for (auto& d : map_differences(compile(snapshot, ports), *dp)) out.push_back(std::move(d));
    return out;
}

// Duplicated rules go too, every copy: the vSwitch's link is completed after this.
void KernelDataplane::remove_orphans(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) {
    const auto orphans = find_orphans(config_, vpcs, vswitches);
    for (const auto& ns : orphans.namespaces) {
        spdlog::debug("netns remove {} (orphan)", ns);
        netns::remove(ns);
    }
    for (const auto& pin : orphans.link_pins) {
        spdlog::debug("unpin {} (orphan)", pin);
        pinned_xdp::unpin(pin);
    }
    for (const auto& l : orphans.links) {
        spdlog::debug("veth delete {} in {} (orphan)", l.ifname, l.netns);
        links::delete_link(l.netns, l.ifname);
    }
    for (const auto& r : orphans.rules) {
        spdlog::debug("{} (orphan): delete", rule_name(r.rule, r.netns));
        links::delete_rule(r.netns, r.rule);
    }
    for (const auto& r : orphans.duplicate_rules) {
        spdlog::debug("{} (duplicated): delete every copy", rule_name(r.rule, r.netns));
        links::delete_rule(r.netns, r.rule);
    }
}

}  // namespace xpeer
