#include <algorithm>
#include <thread>

#include "controller/controller.h"
#include "controller/lifecycle.h"
#include "controller/names.h"
#include "controller/quotas.h"
#include "controller/rollout.h"
#include "controller/rules.h"
#include "model/errors.h"
#include "model/ids.h"
#include "model/region.h"

namespace xpeer {
namespace {

using lifecycle::Action;

const char* kManagePeerings = "create, modify or delete its peering connections";

std::string peering_request(const PeeringSpec& s) {
    return s.vpc_id + "|" + s.peer_vpc_id + "|" + (s.peer_account ? std::to_string(*s.peer_account) : "") + "|" +
           s.peer_region.value_or("") + "|" + (s.bandwidth_mbps ? std::to_string(*s.bandwidth_mbps) : "") + "|" + s.link_type.value_or("") +
           "|" + s.name + "|" + s.description;
}

bool connects(const Peering& p, const std::string& vpc_id) { return p.vpc_id == vpc_id || p.peer_vpc_id == vpc_id; }

}  // namespace

Peering Controller::visible_peering(const std::string& id) {
    auto p = store_.find_peering(id);
    if (p && (p->account == config_.account || p->peer_account == config_.account)) return *p;
    if (p) {
        for (const auto& vpc_id : {p->vpc_id, p->peer_vpc_id}) {
            if (is_principal(vpc_id))
                throw errors::forbidden_shared_vpc("account " + std::to_string(config_.account) + " is a principal of shared VPC " +
                                                   vpc_id + "; only its owner may " + kManagePeerings);
        }
    }
    throw errors::not_found(errors::Kind::VpcPeer, id);
}

Peering Controller::peering_for(const std::string& id, lifecycle::Action action) {
    Peering p = visible_peering(id);
    lifecycle::check(p, action, lifecycle::caller_of(p, config_.account), now());
    return p;
}

int64_t Controller::quota(const std::string& name, AccountId account) {
    return store_.quota(account, name).value_or(quotas::find(name).default_value);
}

void Controller::check_peering_quotas(const Vpc& vpc, const Vpc& peer, const std::string& exclude) {
    const bool inter = vpc.region != peer.region;
    const char* per_vpc = inter ? quotas::kInterRegionPerVpc : quotas::kIntraRegionPerVpc;
    const auto quota_exceeded =
        inter ? errors::quota_exceeded_cross_region_peer_num_per_vpc : errors::quota_exceeded_intra_region_peer_num_per_vpc;
    auto counted = [&](const Peering& p) { return !lifecycle::is_terminal(p.status) && p.id != exclude; };
    for (const Vpc* v : {&vpc, &peer}) {
        int64_t limit = quota(per_vpc, v->account);
        auto used = std::ranges::count_if(store_.live_peerings_of(v->id),
                                          [&](const Peering& p) { return counted(p) && lifecycle::is_inter_region(p) == inter; });
        if (used < limit) continue;
        if (v->account != config_.account)  // another account's numbers are its own
            throw quota_exceeded(v->id + " of account " + std::to_string(v->account) + " has reached its " + per_vpc + " quota");
        throw quota_exceeded(v->id + " already has " + std::to_string(used) + " " + (inter ? "inter" : "intra") +
                             "-region peering connection" + (used == 1 ? "" : "s") + "; " + per_vpc + " is " + std::to_string(limit));
    }
    if (!exclude.empty()) return;  // counted when the requester created it
    int64_t limit = quota(quotas::kPerAccountRegion, config_.account);
    int64_t used = 0;  // `exclude` is empty here
    for (auto [status, n] : store_.peering_counts(config_.account, vpc.region))
        if (!lifecycle::is_terminal(status)) used += n;
    if (used >= limit)
        throw errors::quota_exceeded_peer_num("account " + std::to_string(config_.account) + " already has " + std::to_string(used) +
                                              " peering connections in " + vpc.region + "; " + quotas::kPerAccountRegion + " is " +
                                              std::to_string(limit));
}

Peering Controller::create_peering(const PeeringSpec& spec) {
    names::check_name(errors::Kind::VpcPeer, spec.name);
    names::check_description(spec.description);
    const std::string request = peering_request(spec);
    return await_rollout(transact([&] {
        Vpc vpc = owned_vpc(spec.vpc_id, kManagePeerings);
        if (auto id = replayed("peering", request)) return *store_.find_peering(*id);
        AccountId peer_account = spec.peer_account.value_or(config_.account);
        // Checked before the lookup, and one answer whether the VPC is missing, another account's, or
        // in another region: which VPCs other accounts have, and where, is their business.
        const std::optional<std::string> peer_region = spec.peer_region ? std::optional(region(*spec.peer_region).id) : std::nullopt;
        const Error not_found = errors::not_found(
            errors::Kind::Vpc, spec.peer_vpc_id, "in account " + std::to_string(peer_account) + (peer_region ? " in " + *peer_region : ""));
        auto peer = store_.find_vpc(spec.peer_vpc_id);
        if (!peer || peer->account != peer_account) throw not_found;
        if (peer->id == vpc.id) throw errors::invalid_vpc_id_self("a VPC cannot peer with itself (" + vpc.id + ")");
        if (peer_region && *peer_region != peer->region) {
            if (peer_account != config_.account) throw not_found;
            throw errors::invalid_region_id_mismatch("peer VPC " + peer->id + " is in " + peer->region + ", not " + *peer_region);
        }
        for (const auto& p : store_.live_peerings_of(vpc.id)) {
            if (connects(p, peer->id) && !lifecycle::is_terminal(p.status))
                throw errors::resource_already_exist_vpc_peer("only one peering connection between two VPCs at a time: " + p.id + " (" +
                                                              to_string(p.status) + ") already connects " + vpc.id + " and " + peer->id);
        }

        Peering p;
        p.account = config_.account;
        p.vpc_id = vpc.id;
        p.peer_account = peer_account;
        p.peer_vpc_id = peer->id;
        p.region = vpc.region;
        p.peer_region = peer->region;
        const bool inter = lifecycle::is_inter_region(p);
        if (spec.link_type) lifecycle::check_link_type(p, *spec.link_type);
        p.link_type = inter ? spec.link_type.value_or("Gold") : "";
        lifecycle::BandwidthLimits limits{quota(quotas::kInterRegionBandwidth, p.account), quota(quotas::kCrossBorderBandwidth, p.account)};
        bool border = is_cross_border(region(p.region), region(p.peer_region));
        int64_t default_mbps = inter ? std::min<int64_t>(1024, border ? limits.cross_border_mbps : limits.inter_region_mbps) : -1;
        p.bandwidth_mbps = spec.bandwidth_mbps.value_or(default_mbps);
        lifecycle::check_bandwidth(p, p.bandwidth_mbps, limits);
        check_peering_quotas(vpc, *peer, "");
        for (auto& w : rules::check_peer_cidrs(vpc, *peer, peer_account == config_.account)) warnings_.push_back(std::move(w));
        p.name = spec.name;
        p.description = spec.description;
        p.created_at = wall_time();
        p.status = PeeringStatus::Creating;
        p.id = new_id("pcc", [&](const std::string& id) { return store_.id_exists(id); });
        remember_token("peering", request, p.id);
        store_.insert(p);
        record(Event{p.created_at, p.id, to_string(p.status), config_.account, "requested by " + vpc.id + " to " + peer->id});
        if (peer_account != config_.account) {
            transition(p, PeeringStatus::PeerAccepting, "waiting for account " + std::to_string(peer_account) + " to accept");
            maps_.apply(Scope::of_peering(p.id));
            return p;
        }
        transition(p, PeeringStatus::Updating, "same account: accepted automatically");
        program(p, "data plane programmed");
        return p;
    }));
}

Peering Controller::accept_peering(const std::string& id) {
    return await_rollout(transact([&] {
        Peering p = peering_for(id, Action::Accept);
        check_peering_quotas(*store_.find_vpc(p.vpc_id), *store_.find_vpc(p.peer_vpc_id), p.id);  // quotas may have changed since
        transition(p, PeeringStatus::Updating, "accepted by account " + std::to_string(config_.account));
        program(p, "data plane programmed");
        return p;
    }));
}

// On one machine the maps are this command's to write: Activated once they are, before the
// commit, so that nobody sees Activated before the maps say so. Among hosts each host programs its
// own kernel: the peering stays Updating until every host that carries it has (settle_rollouts).
void Controller::program(Peering& p, const std::string& done) {
    if (store_.hosts().empty()) transition(p, PeeringStatus::Activated, done);
    maps_.apply(Scope::of_peering(p.id));
}

std::vector<rollout::Lag> Controller::settle_rollouts(const std::string& id) {
    // The agents run it after every revision they program: no transaction (an etcd round trip)
    // while the replica holds no Updating connection, which is nearly always.
    const auto live = store_.live_peerings();
    if (std::ranges::none_of(live, [](const Peering& p) { return p.status == PeeringStatus::Updating; })) return {};
    return transact([&] {
        std::vector<rollout::Lag> out;
        std::vector<Peering> updating = store_.live_peerings();
        std::erase_if(updating, [](const Peering& p) { return p.status != PeeringStatus::Updating; });
        if (updating.empty()) return out;
        const Snapshot s = store_.snapshot();
        const auto presence = store_.host_presence();
        for (auto& p : updating) {
            const auto carriers = rollout::carriers(s, p);
            auto lags = rollout::lagging(carriers, presence, store_.peering_revision(p.id));
            if (!lags.empty()) {
                if (p.id == id) out = std::move(lags);
                continue;
            }
            std::string hosts;
            for (const auto& h : carriers) hosts += (hosts.empty() ? "" : ", ") + h;
            // The system's step, whoever's process took it: recorded as expiry is, not as the caller's.
            p.status = PeeringStatus::Activated;
            store_.set_peering_status(p.id, p.status);
            store_.record(
                Event{wall_time(), p.id, to_string(p.status), 0, carriers.empty() ? "no host carries it" : "programmed on " + hosts});
            maps_.apply(Scope::of_peering(p.id));
        }
        return out;
    });
}

// Host names are the operator's to see: a party learns how many hosts its connection waits for.
std::string Controller::describe_lags(const std::vector<rollout::Lag>& lags, int64_t revision) const {
    if (config_.is_operator) return rollout::describe(lags, revision);
    return std::to_string(lags.size()) + (lags.size() == 1 ? " host" : " hosts") + " to program it";
}

Peering Controller::await_rollout(Peering p) {
    if (p.status != PeeringStatus::Updating || dry_run()) return p;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.rollout_wait_ms);
    // The command has committed: whatever goes wrong while it waits is a warning, not its failure.
    try {
        for (;;) {
            const auto lags = settle_rollouts(p.id);
            p = visible_peering(p.id);
            if (p.status != PeeringStatus::Updating) return p;
            if (std::chrono::steady_clock::now() >= deadline) {
                warnings_.push_back(
                    p.id + " is Updating: waiting for " +
                    (lags.empty() ? std::string("the hosts to report") : describe_lags(lags, store_.peering_revision(p.id))));
                return p;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    } catch (const std::exception& e) {
        warnings_.push_back(p.id + " is committed Updating; waiting for its hosts failed: " + e.what());
        return p;
    }
}

Peering Controller::reject_peering(const std::string& id) {
    return transact([&] {
        Peering p = peering_for(id, Action::Reject);
        transition(p, PeeringStatus::Rejected, "rejected by account " + std::to_string(config_.account));
        maps_.apply(Scope::of_peering(p.id));
        return p;
    });
}

Peering Controller::modify_peering(const std::string& id, const PeeringChange& change) {
    if (!change.name && !change.description && !change.bandwidth_mbps && !change.link_type)
        throw errors::missing_parameter("peering modify needs at least one of --name, --description, --bandwidth, --link-type");
    if (change.name) names::check_name(errors::Kind::VpcPeer, *change.name);
    if (change.description) names::check_description(*change.description);
    return await_rollout(transact([&] {
        Peering p = peering_for(id, Action::Modify);
        std::string what;
        if (change.link_type) {
            lifecycle::check_link_type(p, *change.link_type);
            what += " link type " + p.link_type + " -> " + *change.link_type + ";";
            p.link_type = *change.link_type;
        }
        if (change.bandwidth_mbps) {
            lifecycle::check_bandwidth(p, *change.bandwidth_mbps,
                                       {quota(quotas::kInterRegionBandwidth, p.account), quota(quotas::kCrossBorderBandwidth, p.account)});
            what += " bandwidth " + std::to_string(p.bandwidth_mbps) + " -> " + std::to_string(*change.bandwidth_mbps) + " Mbps;";
            p.bandwidth_mbps = *change.bandwidth_mbps;
        }
        if (change.name) {
            what += " name '" + p.name + "' -> '" + *change.name + "';";
            p.name = *change.name;
        }
        if (change.description) {
            what += " description changed;";
            p.description = *change.description;
        }
        what.pop_back();
        const PeeringStatus was = p.status;
        transition(p, PeeringStatus::Updating, "modified by account " + std::to_string(config_.account) + ":" + what);
        store_.update_peering(p);
        if (was == PeeringStatus::Activated) {
            program(p, "modification applied");  // Updating forwards as Activated does: traffic does not stop for a modification
            return p;
        }
        transition(p, was, "modification applied");
        maps_.apply(Scope::of_peering(p.id));
        return p;
    }));
}

void Controller::delete_peering(const std::string& id, bool force) {
    transact([&] {
        Peering p = peering_for(id, Action::Delete);
        auto routes = store_.routes_via(id);
        if (!routes.empty() && !force) {
            auto own =
                std::ranges::find_if(routes, [&](const RouteEntry& r) { return store_.find_vpc(r.vpc_id)->account == config_.account; });
            auto theirs =
                std::ranges::count_if(routes, [&](const RouteEntry& r) { return store_.find_vpc(r.vpc_id)->account != config_.account; });
            std::string where = own != routes.end() ? " (yours: " + own->id + " in " + own->vpc_id + ")" : "";
            if (theirs > 0) where += " (" + std::to_string(theirs) + " at the other end)";
            throw errors::dependency_violation_route_entry(id + " is the next hop of " + std::to_string(routes.size()) + " route entr" +
                                                           (routes.size() == 1 ? "y" : "ies") + where + "; delete them or use --force");
        }
        transition(p, PeeringStatus::Deleting, force ? "deleted with --force" : "deleted");
        Scope scope = Scope::of_peering(id);
        for (const auto& r : routes) {
            scope.add_route(r.vpc_id, r.destination);
            store_.delete_route(r.id);
            // recorded as the route owner's: it is their table, and the other party sees only counts
            record(Event{wall_time(), r.id, "Deleted", store_.find_vpc(r.vpc_id)->account,
                         "removed with " + id + " (--force by account " + std::to_string(config_.account) + ")"});
        }
        maps_.apply(scope);  // routes gone, connection inactive: traffic stops here
        const int64_t at = now_ms();
        const auto elsewhere = counted_elsewhere();  // other hosts' as they last published them
        for (Direction dir : kDirections) {
            fold(p, dir, at);  // this host's last traffic goes on the bill
            store_.archive_counters(id, dir, link_counters(p, dir, elsewhere));
        }
        transition(p, PeeringStatus::Deleted, "data plane cleared");
        maps_.apply(scope);  // the slot is free; its counters are cleared when a new connection takes it
    });
}

std::vector<Peering> Controller::due_to_expire() {
    auto due = store_.peerings_created_before(PeeringStatus::PeerAccepting, now() - lifecycle::kPendingSeconds);
    std::erase_if(due, [&](const Peering& p) {
        auto at = lifecycle::expires_at(p);
        return !at || now() <= *at;  // "more than seven days"
    });
    return due;
}

size_t Controller::expire_due() {
    size_t n = 0;
    Scope expired;
    for (auto& p : due_to_expire()) {
        p.status = PeeringStatus::Expired;
        store_.set_peering_status(p.id, p.status);
        // not record(): the timer's work is not the command's change, and not the caller's to see
        store_.record(Event{wall_time(), p.id, to_string(p.status), 0, "not accepted within seven days of the request"});
        expired.add_peering(p.id);
        ++n;
    }
    if (n > 0 && kernel_->has_datapath()) maps_.apply(expired);
    expired_ += n;
    return n;
}

size_t Controller::expire_pending() {
    if (due_to_expire().empty()) return 0;
    const size_t before = expired_;
    transact([] {});  // every transaction runs the timer first
    return expired_ - before;
}

Peering Controller::wait_peering(const std::string& id, PeeringStatus status, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!dry_run()) expire_pending();
        Peering p = visible_peering(id);
        if (p.status == status) return p;
        if (!lifecycle::can_reach(p.status, status))
            throw errors::incorrect_status_vpc_peer(id + " is " + to_string(p.status) + "; it can no longer become " + to_string(status));
        if (std::chrono::steady_clock::now() >= deadline)
            throw errors::timeout_vpc_peer(id + " is still " + to_string(p.status) + " after " +
                                           std::to_string(timeout.count() / 1000.0).substr(0, 5) + " s of waiting for " +
                                           to_string(status));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

std::vector<Peering> Controller::list_peerings() {
    expire_pending();
    return store_.peerings_of_party(config_.account);
}

Peering Controller::show_peering(const std::string& id) {
    expire_pending();
    Peering p = visible_peering(id);
    if (p.status == PeeringStatus::Deleted || lifecycle::is_terminal(p.status) || store_.hosts().empty()) return p;
    const auto carriers = rollout::carriers(store_.snapshot(), p);
    const auto presence = store_.host_presence();
    if (p.status == PeeringStatus::Updating) {
        const int64_t revision = store_.peering_revision(p.id);
        if (auto lags = rollout::lagging(carriers, presence, revision); !lags.empty())
            warnings_.push_back(p.id + " is Updating: waiting for " + describe_lags(lags, revision));
    }
    std::vector<std::string> silent;
    for (const auto& h : carriers)
        if (auto it = presence.find(h); it == presence.end() || !it->second.alive) silent.push_back(h);
    if (silent.empty()) return p;
    std::string who;
    for (const auto& h : silent) who += (who.empty() ? "" : ", ") + h;
    if (!config_.is_operator) who = std::to_string(silent.size()) + (silent.size() == 1 ? " host" : " hosts");
    warnings_.push_back(p.id + " is carried by " + who + " whose agent holds no lease: that kernel forwards as last programmed " +
                        "and follows no change until its agent is back");
    return p;
}

}  // namespace xpeer
