#include <algorithm>

#include "controller/controller.h"
#include "model/errors.h"
#include "telemetry/rates.h"

namespace xpeer {

std::map<std::string, HostLinks> Controller::counted_elsewhere() {
    auto out = store_.host_links();
    out.erase(store_.local_host().name);  // this kernel's counters are newer
    return out;
}

LinkCounters Controller::link_counters(const Peering& p, Direction d, const std::map<std::string, HostLinks>& elsewhere) {
    LinkCounters c = kernel_->link_counters(p.slot, d);
    for (const auto& [host, links] : elsewhere)
        if (auto it = links.totals.find({p.id, d}); it != links.totals.end()) c = telemetry::add(c, it->second);
    return c;
}

void Controller::publish_links() {
    const std::string here = store_.local_host().name;
    if (here.empty() || dry_run()) return;
    HostLinks links;
    links.time_ms = now_ms();
    std::string signature;  // what changed since the last publication: nothing, most of the time
    for (const auto& p : store_.live_peerings())
        for (Direction d : kDirections) {
            auto r = store_.link_reading(p.id, d);
            if (!r || (!r->total.packets && !telemetry::drops(r->total))) continue;  // nothing this host counted
            links.totals[{p.id, d}] = r->total;
            signature += p.id + std::to_string(to_int(d)) + ":" + std::to_string(r->total.packets) + "," +
                         std::to_string(telemetry::drops(r->total)) + ";";
        }
    if (signature == published_links_) return;
    store_.publish_links(here, links);
    published_links_ = std::move(signature);
}

std::vector<BandwidthSharer::LinkPart> Controller::share_bandwidth(const std::vector<LinkSample>& samples,
                                                                   std::chrono::milliseconds interval) {
    const std::string here = store_.local_host().name;
    if (here.empty() || dry_run() || !kernel_->has_datapath()) return {};
    BandwidthSharer::Board board{[&](const std::set<std::string>& hosts) { return store_.host_demand(hosts); },
                                 [&](const std::string& host, const HostDemand& d) { store_.publish_demand(host, d); }};
    return sharer_.run(
        {here, store_.live_peerings(), store_.vswitches(), samples, interval.count(), {now_ms(), std::chrono::steady_clock::now()}}, board,
        *kernel_);
}

std::vector<LinkStats> Controller::link_stats(const std::optional<std::string>& pcc) {
    std::vector<LinkStats> out;
    const auto elsewhere = counted_elsewhere();
    auto add = [&](const Peering& p) {
        LinkStats s{p, {}, {}};
        if (p.status == PeeringStatus::Deleted) {
            s.a_to_b = store_.archived_counters(p.id, Direction::AToB).value_or(LinkCounters{});
            s.b_to_a = store_.archived_counters(p.id, Direction::BToA).value_or(LinkCounters{});
        } else {
            s.a_to_b = link_counters(p, Direction::AToB, elsewhere);
            s.b_to_a = link_counters(p, Direction::BToA, elsewhere);
        }
        out.push_back(s);
    };
    if (pcc && config_.is_operator) {
        auto p = store_.find_peering(*pcc);
        if (!p) throw errors::not_found(errors::Kind::VpcPeer, *pcc);
        add(*p);
    } else if (pcc) {
        add(visible_peering(*pcc));
    } else {
        for (const auto& p : config_.is_operator ? store_.peerings() : list_peerings()) add(p);
    }
    return out;
}

VerdictCounts Controller::reason_stats() {
    check_operator("see the router's verdicts (every account's traffic)");
    return kernel_->reason_counters();
}

RouteLookupStats Controller::route_lookup_stats() {
    check_operator("see the router's route lookups (every account's traffic)");
    return kernel_->route_lookup_stats();
}

std::vector<Event> Controller::events(const std::string& resource) {
    std::vector<std::string> parties_of;  // connections the caller is a party to: both sides see their history
    for (const auto& p : list_peerings()) parties_of.push_back(p.id);
    auto all = store_.events(resource);
    std::erase_if(
        all, [&](const Event& e) { return e.account != config_.account && std::ranges::find(parties_of, e.resource) == parties_of.end(); });
    return all;
}

std::vector<Difference> Controller::check() {
    return with_maps_lock([&] { return kernel_->check(store_.snapshot(), store_.vswitch_ports()); });
}

Controller::Repair Controller::reconcile() {
    return with_maps_lock([&] {
        Repair r;
        if (kernel_->upgrade_interrupted()) {  // first, since this build opens no pins of the old one's layout
            r.found.push_back({"upgrade in " + config_.bpffs_dir, "interrupted: finished now"});
            if (!dry_run()) kernel_->upgrade(store_.snapshot(), store_.vswitch_ports());
        }
        for (auto& d : kernel_->check(store_.snapshot(), store_.vswitch_ports())) r.found.push_back(std::move(d));
        r.maps = kernel_->plan(store_.snapshot(), store_.vswitch_ports());  // a transaction may write some before apply_all
        transact([&] {
            maps_.about_to_change_kernel();
            remove_kernel_orphans();  // duplicated rules too: made again below
            rebuild_kernel_objects();
            maps_.apply_all();
        });
        if (!dry_run()) r.remaining = kernel_->check(store_.snapshot(), store_.vswitch_ports());
        return r;
    });
}

UpgradeResult Controller::upgrade() {
    check_operator("upgrade the data plane's programs");
    return with_maps_lock([&] { return kernel_->upgrade(store_.snapshot(), store_.vswitch_ports()); });
}

std::vector<Difference> Controller::recover_interrupted() {
    if (dry_run() || maps_locked_ || !kernel_->maps_dirty()) return {};
    auto lock = FileLock::try_lock(config_.state_path + ".lock");
    if (!lock) return {};  // a command is running: its mark is its own
    maps_locked_ = true;
    struct Unlocked {
        bool& locked;
        ~Unlocked() { locked = false; }
    } unlocked{maps_locked_};
    if (!kernel_->maps_dirty()) return {};  // that command finished meanwhile
    Repair r = reconcile();
    warnings_.push_back("a command was interrupted before it finished; repaired " + std::to_string(r.found.size()) +
                        " difference(s) it left between the store and the kernel");
    return r.found;
}

void Controller::teardown() {
    auto tx = store_.begin();
    kernel_->teardown(store_.vpcs());
    tx.commit();
}
}  // namespace xpeer
