// What the kernel holds against what the store says: drift (Kernel::check) and what a killed
// command leaves behind (Kernel::remove_orphans).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "compiler/compiler.h"
#include "controller/kernel.h"
#include "datapath/map_drift.h"
#include "netns/netns.h"

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
    std::vector<OrphanLink> links;
    std::vector<OrphanRule> rules;
    std::vector<OrphanRule> duplicate_rules;  // a vSwitch's rule more than once: removed, then made again
};

// The source rules a VPC's vSwitches need, each once.
std::vector<links::PolicyRule> wanted_rules(const VSwitch& vsw) {
    std::vector<links::PolicyRule> out{links::vswitch_rule(vsw.cidr, vswitch_table(vsw.slot))};
    if (vsw.ipv6_cidr) out.push_back(links::vswitch_rule(*vsw.ipv6_cidr, vswitch_table(vsw.slot)));
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
    // A veth is made with its VPC end already in the VPC namespace, so every vSwitch link,
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

std::string rule_name(const links::PolicyRule& r, const std::string& ns) {
    return "rule from " + r.from.str() + " lookup " + std::to_string(r.table) + " priority " + std::to_string(r.priority) + " in " + ns;
}

}  // namespace

std::vector<Difference> Kernel::check(const Snapshot& snapshot, const PortMap& ports) {
    std::vector<Difference> out;
    auto& dp = datapath_if_loaded();
    if (!dp) {
        if (!snapshot.vpcs.empty()) out.push_back({"pins in " + config_.bpffs_dir, "missing: no router programs or maps"});
    } else if (dp->read_control().dirty) {
        out.push_back({"xp_control", "marked dirty: a command was interrupted before it finished"});
    }
    if (!snapshot.vswitches.empty() && !config_.datapath_netns.empty() && !netns::exists(config_.datapath_netns))
        out.push_back({"netns " + config_.datapath_netns, "missing (the datapath namespace)"});

    const uint32_t router_id = dp ? Datapath::program_id(dp->router_fd()) : 0, vpc_side_id = dp ? Datapath::program_id(dp->vpc_side_fd()) : 0;
    for (const auto& vpc : snapshot.vpcs) {
        const std::string ns = vpc_netns_name(config_, vpc.id);
        if (!netns::exists(ns)) {
            out.push_back({"netns " + ns, "missing (" + vpc.id + ")"});
            continue;
        }
        const auto rules = rules_in(ns);
        for (const auto& vsw : snapshot.vswitches) {
            if (vsw.vpc_id != vpc.id) continue;
            const auto spec = vswitch_link_spec(config_, vpc, vsw);
            const auto link = links::find_vswitch_link(spec);
            const std::string name = "link " + spec.datapath_ifname + " (" + vsw.id + ")";
            if (!link) {
                out.push_back({name, "missing, or one of its ends is"});
            } else {
                auto recorded = ports.find(vsw.id);
                if (recorded == ports.end() || recorded->second.ifindex != link->datapath.ifindex)
                    out.push_back({name, "ifindex " + std::to_string(link->datapath.ifindex) + ", the store records " +
                                             (recorded == ports.end() ? "none" : std::to_string(recorded->second.ifindex))});
                if (dp && links::xdp_program_id(spec.datapath_netns, spec.datapath_ifname) != router_id)
                    out.push_back({name, "the router program is not attached on the datapath side"});
                if (dp && links::xdp_program_id(spec.vpc_netns, spec.vpc_ifname) != vpc_side_id)
                    out.push_back({name, "the VPC-side program is not attached"});
            }
            for (const auto& want : wanted_rules(vsw)) {
                auto n = std::ranges::count(rules, want);
                if (n != 1) out.push_back({rule_name(want, ns), n == 0 ? "missing" : std::to_string(n) + " copies"});
            }
        }
    }
    const auto orphans = find_orphans(config_, snapshot.vpcs, snapshot.vswitches);
    for (const auto& ns : orphans.namespaces) out.push_back({"netns " + ns, "not in the store"});
    for (const auto& l : orphans.links) out.push_back({"link " + l.ifname + " in " + l.netns, "not in the store"});
    for (const auto& r : orphans.rules) out.push_back({rule_name(r.rule, r.netns), "not in the store"});

    if (dp)
        for (auto& d : map_differences(compile(snapshot, ports), *dp)) out.push_back(std::move(d));
    return out;
}

// Duplicated rules go too, every copy: the vSwitch's link is completed after this.
void Kernel::remove_orphans(const std::vector<Vpc>& vpcs, const std::vector<VSwitch>& vswitches) {
    const auto orphans = find_orphans(config_, vpcs, vswitches);
    for (const auto& ns : orphans.namespaces) {
        spdlog::debug("netns remove {} (orphan)", ns);
        netns::remove(ns);
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
