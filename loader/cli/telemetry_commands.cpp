// Top, alerts, prices and bills.
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cli/commands.h"
#include "cli/name_refs.h"
#include "cli/time_args.h"
#include "model/errors.h"

namespace xpeer {
namespace {

void add_top(CLI::App& app, Globals& g, Action& action) {
    auto interval = std::make_shared<std::string>("1s");
    auto count = std::make_shared<std::optional<int64_t>>();
    auto* top = app.add_subcommand("top", "a live table of your peering links: rates, utilisation, loss, drops");
    top->add_option("--interval", *interval, "refresh interval")->capture_default_str();
    top->add_option("--count", *count, "stop after this many refreshes (default: until Ctrl-C)");
    top->callback([&g, &action, interval, count] {
        action = [&g, interval, count](Controller& c) {
            auto every = time_args::parse_duration(*interval);
            if (every.count() <= 0) throw errors::invalid_duration("the refresh interval must be positive, not " + *interval);
            if (*count && **count < 1)
                throw errors::invalid_parameter_count("--count is a number of refreshes, at least 1, not " + std::to_string(**count));
            const bool tty = isatty(STDOUT_FILENO);
            auto samples = c.watch_links({}, 0);  // the first reading: rates need two
            auto last = std::chrono::steady_clock::now();
            for (int64_t n = 0; !*count || n < **count; ++n) {
                std::this_thread::sleep_for(every);
                auto at = std::chrono::steady_clock::now();
                samples = c.watch_links(samples, std::chrono::duration<double>(at - last).count());
                last = at;
                if (tty) std::cout << "\033[H\033[2J";
                if (g.json) {
                    nlohmann::json j = nlohmann::json::array();
                    for (const auto& s : samples) j.push_back(render::to_json(s));
                    std::cout << j.dump() << '\n';
                } else {
                    render::table(std::cout, samples);
                }
                std::cout.flush();
            }
        };
    });
}

void add_alert(CLI::App& app, Globals& g, Action& action) {
    auto* alert = app.add_subcommand("alert", "alert rules on your peering connections (the agent evaluates them)")->require_subcommand(1);
    auto spec = std::make_shared<AlertSpec>();
    auto window = std::make_shared<std::string>("60s");
    auto* create = alert->add_subcommand("create", "create a rule; prints its id");
    create->add_option("--peering", spec->peering, "the peering connection")->required();
    create->add_option("--metric", spec->metric, "utilization (ratio), loss (ratio) or bps")->required();
    create->add_option("--threshold", spec->threshold, "fires above this value")->required();
    create->add_option("--for", *window, "for this long (60s, 5m)")->capture_default_str();
    create->add_option("--webhook", spec->webhook, "http://host[:port]/path: gets a JSON POST on firing and resolving");
    create->callback([&g, &action, spec, window] {
        action = [&g, spec, window](Controller& c) {
            spec->for_seconds = time_args::parse_duration(*window).count() / 1000;
            spec->peering = name_refs::peering(c, g.config.account, spec->peering);
            auto r = c.create_alert(*spec);
            print_one(g, r, r.id);
        };
    });
    alert->add_subcommand("list", "list your rules")->callback([&g, &action] {
        action = [&g](Controller& c) { print_list(g, c.list_alerts()); };
    });
    auto id = std::make_shared<std::string>();
    auto* del = alert->add_subcommand("delete", "delete a rule");
    del->add_option("id", *id, "the rule")->required();
    del->callback([&g, &action, id] {
        action = [&g, id](Controller& c) {
            c.delete_alert(*id);
            print_one(g, nlohmann::json{{"AlertId", *id}}, *id + " deleted");
        };
    });
    auto* history = alert->add_subcommand("history", "every firing and resolution of a rule, with its delivery");
    history->add_option("id", *id, "the rule")->required();
    history->callback([&g, &action, id] { action = [&g, id](Controller& c) { print_list(g, c.alert_history(*id)); }; });
}

void add_billing(CLI::App& app, Globals& g, Action& action) {
    auto* price = app.add_subcommand("price", "the inter-region traffic price table (USD per GB, by region pair and link type)")
                      ->require_subcommand(1);
    price->add_subcommand("list", "list it")->callback([&g, &action] { action = [&g](Controller& c) { print_list(g, c.list_prices()); }; });
    auto p = std::make_shared<billing::Price>();
    auto* set = price->add_subcommand("set", "set the price of a region pair and link type from the next full hour (--operator only)");
    set->add_option("--region-a", p->region_a, "a region")->required();
    set->add_option("--region-b", p->region_b, "the other region")->required();
    set->add_option("--link-type", p->link_type, "Gold or Platinum")->required();
    set->add_option("--usd-per-gb", p->usd_per_gb, "the price")->required();
    set->callback([&g, &action, p] {
        action = [&g, p](Controller& c) {
            auto set = c.set_price(*p);
            print_one(g, set,
                      set.region_a + " <-> " + set.region_b + " " + set.link_type + " = " + std::to_string(set.usd_per_gb) +
                          " USD/GB from " + render::format_time(set.effective_from));
        };
    });

    auto from = std::make_shared<std::optional<std::string>>();
    auto to = std::make_shared<std::optional<std::string>>();
    auto* bill = app.add_subcommand("bill", "the caller's outbound inter-region traffic and what it costs (intra-region is free)");
    bill->add_option("--from", *from, "start (unix seconds or 2026-12-01T00:00:00Z; hour resolution)");
    bill->add_option("--to", *to, "end (default: now)");
    bill->callback([&g, &action, from, to] {
        action = [&g, from, to](Controller& c) {
            std::optional<int64_t> f, t;
            if (*from) f = time_args::parse_time(**from);
            if (*to) t = time_args::parse_time(**to);
            auto lines = c.bill(f, t);
            if (g.json) {
                nlohmann::json j{{"Account", g.config.account}, {"Lines", nlohmann::json::array()}, {"TotalUsd", 0.0}};
                double total = 0;
                for (const auto& l : lines) {
                    j["Lines"].push_back(render::to_json(l));
                    total += l.usd;
                }
                j["TotalUsd"] = total;
                std::cout << j.dump(2) << '\n';
            } else {
                render::table(std::cout, lines);
            }
        };
    });
}

}  // namespace

void add_telemetry(CLI::App& app, Globals& g, Action& action) {
    add_top(app, g, action);
    add_alert(app, g, action);
    add_billing(app, g, action);
}

}  // namespace xpeer
