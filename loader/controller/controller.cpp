#include "controller/controller.h"
#include "model/placement.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <ctime>

#include "controller/kernel_dataplane.h"
#include "controller/names.h"
#include "controller/rules.h"
#include "model/errors.h"
#include "model/ids.h"
#include "model/region.h"
#include "netns/netns.h"
#include "store/open_store.h"

namespace xpeer {

Controller::Controller(Config config) : Controller(std::move(config), nullptr) {}

Controller::Controller(Config config, std::unique_ptr<Dataplane> dataplane)
    : config_(std::move(config)), owned_store_(open_store(config_)), store_(*owned_store_), dataplane_(std::move(dataplane)) {
    if (!dataplane_) dataplane_ = std::make_unique<KernelDataplane>(config_);
    kernel_ = dataplane_.get();
    check_binding();
    config_.store_id = store_.setting("store_id").value_or("");
}

void Controller::set_dry_run() {
    dry_run_ = std::make_unique<DryRun>(*dataplane_);
    kernel_ = dry_run_.get();
}

std::vector<std::string> Controller::dry_run_steps() const { return dry_run_ ? dry_run_->steps() : std::vector<std::string>{}; }

int64_t Controller::now() const { return config_.now.value_or(wall_time()); }

int64_t Controller::wall_time() const { return config_.wall_now.value_or(static_cast<int64_t>(std::time(nullptr))); }

namespace {

std::vector<std::pair<const char*, const std::string*>> bound_settings(const Config& c) {
    return {{"bpffs", &c.bpffs_dir}, {"datapath_netns", &c.datapath_netns}, {"netns_prefix", &c.netns_prefix}};
}

}  // namespace

void Controller::check_binding() {
    for (auto [key, value] : bound_settings(config_)) {
        auto bound = store_.setting(key);
        if (bound && *bound != *value)
            throw errors::config_mismatch("state " + config_.state_path + " belongs to " + key + " '" + *bound + "', not '" + *value + "'");
    }
}

void Controller::bind_config() {
    for (auto [key, value] : bound_settings(config_))
        if (!store_.setting(key)) store_.set_setting(key, *value);
    if (config_.store_id.empty())  // another process's, committed since this one started
        if (auto id = store_.setting("store_id")) config_.store_id = *id;
    if (config_.store_id.empty() && !dry_run()) {  // a dry run binds nothing
        config_.store_id = new_id("store", [](const std::string&) { return false; });
        config_.store_id_pending = true;
        store_.set_setting("store_id", config_.store_id);
    }
}

std::string Controller::forget_made_up_store_id(const std::string& previous) {
    if (!config_.store_id_pending || command_) return "";
    std::string made_up = config_.store_id;
    kernel_->release_claim(made_up);
    config_.store_id = previous;
    config_.store_id_pending = false;
    return made_up;
}

bool Controller::store_id_taken(const std::string& mine) {
    store_.refresh();
    const auto id = store_.setting("store_id");
    return id && *id != mine;
}

void Controller::ensure_kernel() {
    if (kernel_->has_datapath() || !store_.has_vpcs()) return;
    rebuild_kernel_objects();
    maps_.apply_all();
    store_.kernel_caught_up();
}

void Controller::rebuild_kernel_objects() {
    maps_.about_to_change_kernel();
    const Snapshot s = store_.snapshot();
    const auto here = vswitches_here(s);
    for (const auto& vpc : vpcs_here(s)) {
        kernel_->create_vpc(vpc);
        for (const auto& vsw : here)
            if (vsw.vpc_id == vpc.id) make_vswitch_here(vpc, vsw);
    }
}

PortInfo Controller::make_vswitch_here(const Vpc& vpc, const VSwitch& vsw) {
    PortInfo port = kernel_->create_vswitch(vpc, vsw);
    // A dry run makes no link and knows no ifindex: the maps are planned with the ports the store has.
    if (!dry_run()) store_.set_vswitch_port(vsw.id, port);
    // Removed first: a primary address's removal takes the secondaries with it, added after.
    const auto instances = store_.instances_of(vsw.id);
    kernel_->remove_other_addresses(vpc, vsw, instances);
    for (const auto& inst : instances) kernel_->add_instance(vpc, vsw, inst);
    return port;
}

Vpc Controller::owned_vpc(const std::string& id, const std::string& what) {
    Vpc vpc = usable_vpc(id);
    if (vpc.account == config_.account) return vpc;
    throw errors::forbidden_shared_vpc("account " + std::to_string(config_.account) + " is a principal of shared VPC " + id +
                                       "; only its owner (account " + std::to_string(vpc.account) + ") may " + what);
}

bool Controller::is_principal(const std::string& vpc_id) {
    auto principals = store_.principals(vpc_id);
    return std::ranges::find(principals, config_.account) != principals.end();
}

void Controller::check_may_remove(const Vpc& vpc, AccountId creator, const std::string& id) {
    if (vpc.account == config_.account || creator == config_.account) return;
    throw errors::forbidden_shared_vpc(id + " in shared VPC " + vpc.id +
                                       " was created by another account; a principal may delete only what it created");
}

Vpc Controller::usable_vpc(const std::string& id) {
    auto vpc = store_.find_vpc(id);
    if (!vpc || (vpc->account != config_.account && !is_principal(id))) throw errors::not_found(errors::Kind::Vpc, id);
    return *vpc;
}

VSwitch Controller::visible_vswitch(const std::string& id) {
    auto vsw = store_.find_vswitch(id);
    if (!vsw) throw errors::not_found(errors::Kind::VSwitch, id);
    try {
        usable_vpc(vsw->vpc_id);
    } catch (const Error&) {
        throw errors::not_found(errors::Kind::VSwitch, id);
    }
    return *vsw;
}

void Controller::record(const Event& e) {
    store_.record(e);
    changes_.push_back(e);
}

void Controller::transition(Peering& p, PeeringStatus to, const std::string& reason) {
    p.status = to;
    store_.set_peering_status(p.id, to);
    record(Event{wall_time(), p.id, to_string(to), config_.account, reason});
}

// ---- VPCs

Vpc Controller::create_vpc(const VpcSpec& spec) {
    Vpc vpc;
    vpc.cidr = Cidr::parse(spec.cidr);
    rules::check_vpc_cidr(vpc.cidr);
    if (spec.ipv6_cidr) {
        vpc.ipv6_cidr = Cidr::parse(*spec.ipv6_cidr);
        rules::check_vpc_ipv6_cidr(*vpc.ipv6_cidr);
    }
    vpc.region = region(spec.region).id;
    vpc.account = config_.account;
    names::check_name(errors::Kind::Vpc, spec.name);
    vpc.name = spec.name;
    vpc.created_at = wall_time();
    const std::string request = vpc.cidr.str() + "|" + (vpc.ipv6_cidr ? vpc.ipv6_cidr->str() : "") + "|" + vpc.region + "|" + vpc.name;
    return transact([&] {
        if (auto id = replayed("vpc", request)) return *store_.find_vpc(*id);
        store_.ensure_account(config_.account);
        vpc.id = new_id("vpc", [&](const std::string& id) { return store_.id_exists(id); });
        remember_token("vpc", request, vpc.id);
        store_.insert(vpc);
        record(Event{vpc.created_at, vpc.id, "Available", config_.account, "created"});
        if (store_.hosts().empty()) {  // among hosts, its namespace comes with its first vSwitch on each
            kernel_->create_vpc(vpc);
            command_->on_failure([this, vpc] { kernel_->delete_vpc(vpc); });
        }
        return vpc;
    });
}

namespace {

// errors::dependency_violation_*() naming everything still in the VPC: vSwitches, live peering
// connections, route entries. The code names the first of these kinds it has.
void check_vpc_empty(Store& store_, const std::string& id) {
    // Every blocker at once, so that one look says what to remove; the code names the first kind.
    Error (*violation)(const std::string&) = nullptr;
    std::string blockers;
    auto blocked_by = [&](Error (*kind)(const std::string&), const std::string& what) {
        if (!violation) violation = kind;
        blockers += (blockers.empty() ? "" : "; ") + what;
    };
    if (auto vs = store_.vswitches_of(id); !vs.empty()) {
        std::string ids;
        for (const auto& v : vs) ids += (ids.empty() ? "" : ", ") + v.id;
        blocked_by(errors::dependency_violation_vswitch,
                   "vSwitch" + std::string(vs.size() == 1 ? " " : "es ") + ids + " (delete their instances, then them)");
    }
    for (const auto& p : store_.live_peerings_of(id)) {
        const bool incoming_request = p.status == PeeringStatus::PeerAccepting && p.peer_vpc_id == id;
        blocked_by(errors::dependency_violation_vpc_peer,
                   "peering connection " + p.id + " (" + to_string(p.status) + "; " + (incoming_request ? "reject it" : "delete it") + ")");
    }
    if (auto routes = store_.routes_of_vpc(id); !routes.empty()) {
        constexpr size_t shown = 5;
        std::string ids;
        for (size_t i = 0; i < routes.size() && i < shown; ++i) ids += (i ? ", " : "") + routes[i].id;
        if (routes.size() > shown) ids += ", and " + std::to_string(routes.size() - shown) + " more";
        blocked_by(errors::dependency_violation_route_entry, "route entr" + std::string(routes.size() == 1 ? "y " : "ies ") + ids);
    }
    if (violation) throw violation(id + " still has " + blockers + "; remove them first");
}

}  // namespace

void Controller::delete_vpc(const std::string& id) {
    transact([&] {
        Vpc vpc = owned_vpc(id, "delete it");
        check_vpc_empty(store_, id);
        store_.delete_vpc(id);
        record(Event{wall_time(), id, "Deleted", config_.account, "deleted"});
        kernel_->delete_vpc(vpc);
    });
}

std::vector<Vpc> Controller::list_vpcs() {
    auto all = store_.vpcs_of_account(config_.account);
    for (auto& v : store_.vpcs_shared_with(config_.account)) all.push_back(std::move(v));
    return all;
}

Vpc Controller::show_vpc(const std::string& id) { return usable_vpc(id); }

std::string Controller::vpc_netns(const std::string& vpc_id) { return vpc_netns_name(config_, usable_vpc(vpc_id).id); }

// ---- vSwitches

VSwitch Controller::create_vswitch(const VSwitchSpec& spec) {
    VSwitch vsw;
    vsw.cidr = Cidr::parse(spec.cidr);
    if (spec.ipv6_cidr) vsw.ipv6_cidr = Cidr::parse(*spec.ipv6_cidr);
    names::check_name(errors::Kind::VSwitch, spec.name);
    vsw.name = spec.name;
    vsw.created_at = wall_time();
    const std::string request = spec.vpc_id + "|" + vsw.cidr.str() + "|" + (vsw.ipv6_cidr ? vsw.ipv6_cidr->str() : "") + "|" + vsw.name +
                                (config_.host.empty() ? "" : "|" + config_.host);
    return transact([&] {
        Vpc vpc = usable_vpc(spec.vpc_id);
        if (auto id = replayed("vswitch", request)) return *store_.find_vswitch(*id);
        rules::check_vswitch(vpc, store_.vswitches_of(vpc.id), store_.routes_of_vpc(vpc.id), vsw.cidr, vsw.ipv6_cidr);
        vsw.vpc_id = vpc.id;
        vsw.account = config_.account;
        vsw.host = place_vswitch(vpc);
        vsw.id = new_id("vsw", [&](const std::string& id) { return store_.id_exists(id); });
        remember_token("vswitch", request, vsw.id);
        store_.insert(vsw);
        record(Event{vsw.created_at, vsw.id, "Available", config_.account, "created in " + vpc.id});
        if (is_here(vsw, store_.local_host())) {  // another host's agent makes its link
            maps_.about_to_change_kernel();
            store_.set_vswitch_port(vsw.id, kernel_->create_vswitch(vpc, vsw));
            command_->on_failure([this, vpc, vsw] { kernel_->delete_vswitch(vpc, vsw); });
        }
        maps_.apply(Scope::of_vswitch(vsw));
        return vsw;
    });
}

void Controller::delete_vswitch(const std::string& id) {
    transact([&] {
        VSwitch vsw = visible_vswitch(id);
        Vpc vpc = usable_vpc(vsw.vpc_id);
        check_may_remove(vpc, vsw.account, id);
        if (auto i = store_.instances_of(id); !i.empty())
            throw errors::dependency_violation_instance(id + " still has instance " + i.front().id + "; delete it first");
        store_.delete_vswitch(id);
        record(Event{wall_time(), id, "Deleted", config_.account, "deleted"});
        maps_.apply(Scope::of_vswitch(vsw));  // routes to the link go before the link
        if (is_here(vsw, store_.local_host())) kernel_->delete_vswitch(vpc, vsw);
    });
}

std::vector<VSwitch> Controller::list_vswitches(const std::optional<std::string>& vpc_id) {
    if (vpc_id) return store_.vswitches_of(usable_vpc(*vpc_id).id);
    std::vector<VSwitch> out;
    for (const auto& vpc : list_vpcs())
        for (auto& v : store_.vswitches_of(vpc.id)) out.push_back(std::move(v));
    return out;
}

VSwitch Controller::show_vswitch(const std::string& id) { return visible_vswitch(id); }

// ---- instances

Instance Controller::create_instance(const InstanceSpec& spec) {
    const std::string request = spec.vswitch_id + "|" + spec.ip.value_or("") + "|" + spec.ipv6.value_or("");
    return transact([&] {
        VSwitch vsw = visible_vswitch(spec.vswitch_id);
        Vpc vpc = usable_vpc(vsw.vpc_id);
        if (auto id = replayed("instance", request)) return *store_.find_instance(*id);
        std::vector<IpAddr> taken;
        for (const auto& i : store_.instances_of(vsw.id)) {
            if (i.ip) taken.push_back(*i.ip);
            if (i.ipv6) taken.push_back(*i.ipv6);
        }
        Instance inst;
        inst.vswitch_id = vsw.id;
        inst.account = config_.account;
        inst.created_at = wall_time();
        if (spec.ip) {
            inst.ip = IpAddr::parse(*spec.ip);
            rules::check_instance_address(vsw, vsw.cidr, *inst.ip, taken);
        } else {
            inst.ip = rules::next_free_address(vsw.cidr, taken);
        }
        if (spec.ipv6 && !vsw.ipv6_cidr)
            throw errors::invalid_vswitch_no_ipv6(vsw.id + " has no IPv6 CIDR block; an instance on it cannot have --ipv6");
        if (spec.ipv6) {
            inst.ipv6 = IpAddr::parse(*spec.ipv6);
            rules::check_instance_address(vsw, *vsw.ipv6_cidr, *inst.ipv6, taken);
        } else if (vsw.ipv6_cidr) {
            inst.ipv6 = rules::next_free_address(*vsw.ipv6_cidr, taken);
        }
        inst.id = new_id("i", [&](const std::string& id) { return store_.id_exists(id); });
        remember_token("instance", request, inst.id);
        store_.insert(inst);
        record(Event{inst.created_at, inst.id, "Running", config_.account, "created on " + vsw.id});
        if (is_here(vsw, store_.local_host())) {
            kernel_->add_instance(vpc, vsw, inst);
            command_->on_failure([this, vpc, vsw, inst] { kernel_->remove_instance(vpc, vsw, inst); });
        }
        return inst;
    });
}

void Controller::delete_instance(const std::string& id) {
    transact([&] {
        auto inst = store_.find_instance(id);
        if (!inst) throw errors::not_found(errors::Kind::Instance, id);
        VSwitch vsw = visible_vswitch(inst->vswitch_id);
        Vpc vpc = usable_vpc(vsw.vpc_id);
        check_may_remove(vpc, inst->account, id);
        store_.delete_instance(id);
        record(Event{wall_time(), id, "Deleted", config_.account, "deleted"});
        if (is_here(vsw, store_.local_host())) kernel_->remove_instance(vpc, vsw, *inst);
    });
}

std::vector<Instance> Controller::list_instances(const std::optional<std::string>& vswitch_id) {
    if (vswitch_id) return store_.instances_of(visible_vswitch(*vswitch_id).id);
    std::vector<Instance> out;
    for (const auto& vsw : list_vswitches(std::nullopt))
        for (auto& i : store_.instances_of(vsw.id)) out.push_back(std::move(i));
    return out;
}

Instance Controller::show_instance(const std::string& id) {
    auto inst = store_.find_instance(id);
    if (!inst) throw errors::not_found(errors::Kind::Instance, id);
    visible_vswitch(inst->vswitch_id);
    return *inst;
}

}  // namespace xpeer
