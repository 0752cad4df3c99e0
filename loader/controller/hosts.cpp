#include <algorithm>

#include "controller/controller.h"
#include "controller/names.h"
#include "model/errors.h"
#include "model/placement.h"
#include "model/region.h"

namespace xpeer {
namespace {

std::string names_of(const std::vector<Host>& hosts) {
    std::string out;
    for (const auto& h : hosts) out += (out.empty() ? "" : ", ") + h.name;
    return out;
}

}  // namespace

Host Controller::register_host(const HostSpec& spec) {
    check_operator("register a host");
    names::check_host_name(spec.name);
    region(spec.region);  // a region peering supports
    return transact([&] {
        if (auto bound = store_.setting(kLocalHostSetting); bound && *bound != spec.name)
            throw errors::config_mismatch("replica " + config_.state_path + " is host " + *bound + "'s, not " + spec.name +
                                          "'s: each host has its own --state");
        Host h{spec.name, spec.region, spec.underlay, wall_time()};
        if (auto known = store_.find_host(spec.name)) {
            if (known->underlay != spec.underlay)
                throw errors::invalid_host_underlay_mismatch("host " + spec.name + " is registered with underlay address " +
                                                             known->underlay.str() + ", not " + spec.underlay.str() +
                                                             ": a host name names one machine");
            if (known->region != spec.region)
                throw errors::invalid_region_id_mismatch("host " + spec.name + " is registered in region " + known->region + ", not " +
                                                         spec.region);
            h = *known;  // the agent started again
        } else {
            if (auto other = store_.host_with_underlay(spec.underlay))
                throw errors::invalid_host_underlay_in_use("underlay address " + spec.underlay.str() + " is host " + other->name +
                                                           "'s; each host has its own");
            store_.insert(h);
            record(Event{h.created_at, h.name, "Registered", kOperatorAccount, "in " + h.region + ", underlay " + h.underlay.str()});
        }
        store_.set_setting(kLocalHostSetting, h.name);
        if (!spec.underlay_ifname.empty()) {
            maps_.about_to_change_kernel();
            store_.set_setting(kUnderlayIfindexSetting, std::to_string(kernel_->attach_underlay(spec.underlay_ifname)));
            store_.set_setting(kUnderlayBandwidthSetting, std::to_string(spec.underlay_bandwidth_mbps));
        }
        remove_kernel_orphans();
        maps_.apply_all();  // the tunnels to the other hosts, and the routes through them
        return h;
    });
}

// Kernel objects of nothing this host carries: a killed command's, or other hosts' vSwitches (a
// kernel programmed before its replica was bound to its host made every vSwitch).
void Controller::remove_kernel_orphans() {
    const Snapshot s = store_.snapshot();
    kernel_->remove_orphans(vpcs_here(s), vswitches_here(s));
}

std::vector<HostView> Controller::list_hosts() {
    check_operator("see the hosts");
    const auto presence = store_.host_presence();
    std::vector<HostView> out;
    for (auto& h : store_.hosts()) {
        HostView v{h, {}, store_.vswitches_on(h.name).size()};
        if (auto p = presence.find(h.name); p != presence.end()) v.presence = p->second;
        out.push_back(std::move(v));
    }
    return out;
}

int64_t Controller::refresh_store() { return store_.refresh(); }

int64_t Controller::follow_store() {
    transact([] {});  // its start brings the replica and then the kernel up to date
    return store_.revision();
}

// Rows another host committed, loaded since the kernel was last written (the diffs of a
// command's map writes assume the maps follow the store): the map entries they change, or, when
// they change kernel objects (or the store cannot tell which rows changed), what reconcile does
// without its checks.
void Controller::catch_up_kernel() {
    if (!kernel_->has_datapath() || !store_.kernel_behind()) return;
    if (auto lag = store_.kernel_lag()) {
        follow_lag(*lag);
        store_.kernel_caught_up();
        return;
    }
    maps_.about_to_change_kernel();
    remove_kernel_orphans();
    rebuild_kernel_objects();
    maps_.apply_all();
    store_.kernel_caught_up();
}

// In the order of the commands that change them: links before the entries that name them,
// entries before the links they no longer name go.
void Controller::follow_lag(const KernelLag& lag) {
    const LocalHost local = store_.local_host();
    const PortMap ports = store_.vswitch_ports();
    std::vector<std::pair<Vpc, VSwitch>> gone;
    bool remade = false;  // a link that had to be made again: its port's entries are under another ifindex
    for (const auto& id : lag.vswitches_here) {
        auto vsw = store_.find_vswitch(id);
        if (vsw && is_here(*vsw, local)) {
            maps_.about_to_change_kernel();
            const Vpc vpc = *store_.find_vpc(vsw->vpc_id);  // a vSwitch's VPC outlives it (a foreign key)
            kernel_->create_vpc(vpc);
            const PortInfo port = make_vswitch_here(vpc, *vsw);
            if (auto had = ports.find(id); had != ports.end() && had->second.ifindex != port.ifindex) remade = true;
            continue;
        }
        store_.as_kernel_follows([&] {
            if (auto was = store_.find_vswitch(id); was && is_here(*was, local)) gone.emplace_back(*store_.find_vpc(was->vpc_id), *was);
        });
    }
    if (remade)
        maps_.apply_all();
    else if (!lag.maps.empty())
        maps_.catch_up(lag.maps);
    if (gone.empty()) return;
    maps_.about_to_change_kernel();
    for (const auto& [vpc, vsw] : gone) kernel_->delete_vswitch(vpc, vsw);
    remove_kernel_orphans();  // the namespace of a VPC whose last vSwitch here went
}

// A new vSwitch's host: the one it names (config_.host, --host or XPEER_HOST), else this machine's
// if it is in the VPC's region, else the region's only host; none while no host is registered
// (one machine, no agents).
std::optional<std::string> Controller::place_vswitch(const Vpc& vpc) {
    std::vector<Host> hosts = store_.hosts();
    if (!config_.host.empty()) {
        names::check_host_name(config_.host);
        auto h = std::ranges::find(hosts, config_.host, &Host::name);
        if (h == hosts.end())
            throw errors::not_found(errors::Kind::Host, config_.host, "among the hosts that registered (xpeer host list)");
        if (h->region != vpc.region)
            throw errors::invalid_host_region_mismatch("host " + h->name + " is in region " + h->region + "; a vSwitch of " + vpc.id +
                                                       " lives on a host of the VPC's region, " + vpc.region);
        return h->name;
    }
    if (hosts.empty()) return std::nullopt;
    std::erase_if(hosts, [&](const Host& h) { return h.region != vpc.region; });
    if (auto here = std::ranges::find(hosts, store_.local_host().name, &Host::name); here != hosts.end()) return here->name;
    if (hosts.size() == 1) return hosts.front().name;
    if (hosts.empty())
        throw errors::invalid_host_region_mismatch("no host runs region " + vpc.region + ", where " + vpc.id +
                                                   " is: start an agent there (xpeer agent --host NAME) first");
    throw errors::missing_parameter("--host: region " + vpc.region + " has " + std::to_string(hosts.size()) + " hosts (" + names_of(hosts) +
                                    "); name the one the vSwitch lives on");
}

}  // namespace xpeer
