// Counters into the store, bills out of it, and alert rules: what the agent and `bill` run.
#include <chrono>
#include <map>

#include "controller/controller.h"
#include "controller/lifecycle.h"
#include "model/errors.h"
#include "model/ids.h"
#include "model/region.h"
#include "telemetry/rates.h"
#include "telemetry/webhook_address.h"

namespace xpeer {

int64_t Controller::now_ms() const {
    if (config_.now) return *config_.now * 1000;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

LinkSample Controller::fold(const Peering& p, Direction direction, int64_t at_ms) {
    LinkCounters raw = kernel_->link_counters(p.slot, direction);
    auto last = store_.link_reading(p.id, direction);
    LinkSample s{p, direction, {}, {}, 0};
    s.delta = last ? telemetry::delta(last->raw, raw) : raw;
    s.total = last ? telemetry::add(last->total, s.delta) : raw;
    s.seconds = last ? static_cast<double>(at_ms - last->time_ms) / 1000.0 : 0;
    store_.put(LinkReading{p.id, direction, at_ms, raw, s.total});
    if (s.delta.packets || s.delta.bytes) store_.add_usage(UsageRow{p.id, direction, at_ms / 1000 / 3600, s.delta.packets, s.delta.bytes});
    return s;
}

std::vector<LinkSample> Controller::sample() {
    if (dry_run()) return {};
    return transact([&] {
        std::vector<LinkSample> out;
        if (!kernel_->has_datapath()) return out;
        const int64_t at = now_ms();
        for (const auto& p : store_.live_peerings()) {
            if (lifecycle::is_terminal(p.status)) continue;  // Rejected, Expired: never carried traffic
            for (Direction dir : kDirections) out.push_back(fold(p, dir, at));
        }
        return out;
    });
}

std::vector<LinkSample> Controller::watch_links(const std::vector<LinkSample>& previous, double seconds) {
    std::vector<LinkSample> out;
    const auto elsewhere = counted_elsewhere();  // other hosts' as they last published them
    for (const auto& p : list_peerings()) {
        if (lifecycle::is_terminal(p.status)) continue;
        for (Direction dir : kDirections) {
            LinkSample s{p, dir, link_counters(p, dir, elsewhere), {}, 0};
            for (const auto& before : previous) {
                if (before.peering.id != p.id || before.direction != dir) continue;
                s.delta = telemetry::delta(before.total, s.total);
                s.seconds = seconds;
            }
            out.push_back(s);
        }
    }
    return out;
}

std::vector<billing::Line> Controller::bill(std::optional<int64_t> from, std::optional<int64_t> to) {
    for (const auto* t : {&from, &to})
        if (*t && **t % 3600 != 0)
            throw errors::invalid_time_not_on_hour(
                "usage is kept by the hour: --from and --to must fall on a full hour (e.g. 2026-12-01T10:00:00Z)");
    if (from && to && *to <= *from) throw errors::invalid_time_range("--to must be after --from");
    sample();  // the bill includes traffic up to now
    int64_t from_hour = from ? *from / 3600 : 0;
    int64_t to_hour = to ? *to / 3600 : now() / 3600 + 1;
    std::map<std::string, std::optional<Peering>> peerings;  // the caller's, by id; nullopt: another's
    std::vector<billing::Usage> usage;
    for (const auto& u : store_.usage(from_hour, to_hour)) {
        auto [at, fresh] = peerings.try_emplace(u.pcc);
        if (fresh) {
            auto p = store_.find_peering(u.pcc);
            if (p && (p->account == config_.account || p->peer_account == config_.account)) at->second = std::move(p);
        }
        if (at->second) usage.push_back(billing::Usage{*at->second, u.direction, u.bytes, u.hour});
    }
    return billing::bill(config_.account, usage, price_table());
}

std::vector<billing::Price> Controller::price_table() {
    auto table = billing::default_prices();
    for (auto& p : store_.prices()) table.push_back(std::move(p));  // after the defaults: a price set wins a tie
    return table;
}

std::vector<billing::Price> Controller::list_prices() {
    const auto table = price_table();
    std::vector<billing::Price> out;
    for (const auto& d : billing::default_prices()) out.push_back(*billing::price_at(table, d.region_a, d.region_b, d.link_type, now()));
    for (const auto& p : store_.prices())
        if (p.effective_from > now()) out.push_back(p);  // set, not yet in force
    return out;
}

billing::Price Controller::set_price(const billing::Price& price) {
    billing::Price p = price;
    p.region_a = region(p.region_a).id;
    p.region_b = region(p.region_b).id;
    if (p.region_a == p.region_b) throw errors::invalid_price_intra_region("intra-region traffic is free; a price needs two regions");
    if (p.link_type != "Gold" && p.link_type != "Platinum")
        throw errors::invalid_link_type_unknown("link type must be Gold or Platinum, not " + p.link_type);
    if (!(p.usd_per_gb >= 0)) throw errors::invalid_price_negative("a price cannot be negative");
    if (!config_.is_operator)
        throw errors::forbidden_operator("only the operator sets prices (--operator, XPEER_OPERATOR=1); account " +
                                         std::to_string(config_.account) + " may list them");
    // Usage is kept by the hour: the hour under way keeps the price it began with.
    p.effective_from = (now() / 3600 + 1) * 3600;
    return transact([&] {
        store_.set_price(p);
        record(Event{wall_time(), "price", "Set", config_.account,
                     p.region_a + " <-> " + p.region_b + " " + p.link_type + ": " + std::to_string(p.usd_per_gb) + " USD/GB from " +
                         std::to_string(p.effective_from)});
        return p;
    });
}

alerts::Rule Controller::create_alert(const AlertSpec& spec) {
    alerts::Rule r;
    r.metric = alerts::metric_from_string(spec.metric);
    r.threshold = spec.threshold;
    r.for_seconds = spec.for_seconds;
    r.webhook = spec.webhook;
    alerts::check(r);
    const std::string host = webhook_address::url_host(r.webhook);
    if (auto rule = webhook_address::literal_rule(host); rule && !config_.is_operator)
        throw errors::invalid_alert_webhook_address(
            "webhook host " + host + " is a " + *rule +
            " address, which the agent does not deliver to; only the host's operator (--operator) may name one");
    return transact([&] {
        Peering p = visible_peering(spec.peering);
        if (lifecycle::is_terminal(p.status))
            throw errors::incorrect_status_vpc_peer(p.id + " is " + to_string(p.status) + "; it will carry no traffic to alert on");
        if (r.metric == alerts::Metric::Utilization && p.bandwidth_mbps < 0)
            throw errors::invalid_alert_unlimited(p.id + " has no bandwidth limit, so its utilization is undefined; alert on bps instead");
        r.peering = p.id;
        r.account = config_.account;
        r.id = new_id("alert", [&](const std::string& id) { return store_.id_exists(id) || store_.find_alert(id).has_value(); });
        store_.insert(r);
        record(Event{wall_time(), r.id, "Created", config_.account,
                     alerts::to_string(r.metric) + " > " + std::to_string(r.threshold) + " for " + std::to_string(r.for_seconds) +
                         " s on " + r.peering});
        return r;
    });
}

std::vector<alerts::Rule> Controller::list_alerts() {
    auto all = store_.alert_rules();
    std::erase_if(all, [&](const alerts::Rule& r) { return r.account != config_.account; });
    return all;
}

void Controller::delete_alert(const std::string& id) {
    transact([&] {
        auto r = store_.find_alert(id);
        if (!r || r->account != config_.account) throw errors::not_found(errors::Kind::Alert, id);
        store_.delete_alert(id);
        record(Event{wall_time(), id, "Deleted", config_.account, "deleted"});
    });
}

std::vector<AlertChange> Controller::alert_history(const std::string& id) {
    auto r = store_.find_alert(id);
    if (!r || r->account != config_.account) throw errors::not_found(errors::Kind::Alert, id);
    return store_.alert_history(id);
}

std::vector<AlertDelivery> Controller::evaluate_alerts(const std::vector<LinkSample>& samples) {
    return transact([&] {
        std::vector<AlertDelivery> out;
        for (const auto& rule : store_.alert_rules()) {
            std::optional<double> value;
            for (const auto& s : samples) {
                if (s.peering.id != rule.peering || s.seconds <= 0) continue;
                double v = alerts::value_of(rule.metric, telemetry::rate(s.delta, s.seconds, s.peering.bandwidth_mbps));
                value = std::max(value.value_or(v), v);  // the worse direction
            }
            auto state = store_.alert_state(rule.id);
            if (!value) {
                auto p = store_.find_peering(rule.peering);
                if (!p || p->status == PeeringStatus::Activated || p->status == PeeringStatus::Updating ||
                    p->status == PeeringStatus::PeerAccepting)
                    continue;  // no reading yet
                value = 0;     // the connection is gone: a firing rule resolves
            }
            auto change = alerts::evaluate(rule, state, *value, now());
            store_.set_alert_state(rule.id, state);
            if (change == alerts::Change::None) continue;
            // recorded with the state, before delivery: a crash cannot lose the change
            AlertChange c{0, rule.id, now(), change == alerts::Change::Fired ? "Fired" : "Resolved", *value, "pending"};
            c.seq = store_.record(c);
            out.push_back(AlertDelivery{rule, c});
        }
        return out;
    });
}

void Controller::record_delivery(const AlertChange& change) {
    transact([&] { store_.set_delivery(change.seq, change.delivery); });
}

}  // namespace xpeer
