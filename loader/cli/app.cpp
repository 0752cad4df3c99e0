#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "cli/agent_exec.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/name_refs.h"
#include "cli/noun_commands.h"
#include "cli/render.h"
#include "cli/route_file.h"
#include "cli/table.h"
#include "cli/time_args.h"
#include "cli/vpc_removal.h"
#include "controller/controller.h"
#include "controller/lifecycle.h"
#include "model/errors.h"
#include "model/region.h"
#include "netns/netns.h"

namespace xpeer {
namespace {

void add_vswitch(CLI::App& app, Globals& g, Action& action) {
    auto* vsw = app.add_subcommand("vswitch", "vSwitches: subnets of a VPC, one veth link each")->require_subcommand(1);
    auto spec = std::make_shared<VSwitchSpec>();
    auto* create = vsw->add_subcommand("create", "create a vSwitch; prints its id");
    create->add_option("--vpc", spec->vpc_id, "the VPC")->required();
    create->add_option("--cidr", spec->cidr, "IPv4 CIDR block inside the VPC's")->required();
    create->add_option("--ipv6-cidr", spec->ipv6_cidr, "IPv6 CIDR block inside the VPC's");
    create->add_option("--name", spec->name, "a name");
    create->callback([&g, &action, spec] {
        action = [&g, spec](Controller& c) {
            spec->vpc_id = vpc_ref(c, g, spec->vpc_id);
            auto v = c.create_vswitch(*spec);
            print_one(g, v, v.id);
        };
    });
    auto filter = std::make_shared<std::optional<std::string>>();
    add_list_show_delete<VSwitch>(
        vsw, g, action, "VSwitchId", vswitch_ref,
        [&g, filter](Controller& c) { return c.list_vswitches(*filter ? std::optional(vpc_ref(c, g, **filter)) : std::nullopt); },
        [](Controller& c, const std::string& id) { return c.show_vswitch(id); },
        [](Controller& c, const std::string& id) { c.delete_vswitch(id); });
    vsw->get_subcommand("list")->add_option("--vpc", *filter, "only this VPC's");
}

void add_instance(CLI::App& app, Globals& g, Action& action) {
    auto* inst = app.add_subcommand("instance", "instances: addresses on a vSwitch")->require_subcommand(1);
    auto spec = std::make_shared<InstanceSpec>();
    auto* create = inst->add_subcommand("create", "create an instance; prints its id");
    create->add_option("--vswitch", spec->vswitch_id, "the vSwitch")->required();
    create->add_option("--ip", spec->ip, "IPv4 address (default: the first free one)");
    create->add_option("--ipv6", spec->ipv6, "IPv6 address (default: the first free one, if the vSwitch has IPv6)");
    create->callback([&g, &action, spec] {
        action = [&g, spec](Controller& c) {
            spec->vswitch_id = vswitch_ref(c, g, spec->vswitch_id);
            auto i = c.create_instance(*spec);
            print_one(g, i, i.id);
        };
    });
    auto filter = std::make_shared<std::optional<std::string>>();
    add_list_show_delete<Instance>(
        inst, g, action, "InstanceId", by_id,
        [&g, filter](Controller& c) { return c.list_instances(*filter ? std::optional(vswitch_ref(c, g, **filter)) : std::nullopt); },
        [](Controller& c, const std::string& id) { return c.show_instance(id); },
        [](Controller& c, const std::string& id) { c.delete_instance(id); });
    inst->get_subcommand("list")->add_option("--vswitch", *filter, "only this vSwitch's");
}

void add_quota(CLI::App& app, Globals& g, Action& action) {
    auto* quota = app.add_subcommand("quota", "the seed's quotas of an account; the operator sets them")->require_subcommand(1);
    auto account = std::make_shared<std::optional<AccountId>>();
    auto* list = quota->add_subcommand("list", "list the caller's with their values");
    list->add_option("--for-account", *account, "another account's (the operator only)");
    list->callback([&g, &action, account] { action = [&g, account](Controller& c) { print_list(g, c.list_quotas(*account)); }; });
    auto name = std::make_shared<std::string>();
    auto value = std::make_shared<int64_t>(0);
    auto* set =
        quota->add_subcommand("set", "set one for an account (the operator only: xpeer --operator quota set NAME VALUE --for-account U)");
    set->add_option("name", *name, "e.g. vpc_quota_peer_num")->required();
    set->add_option("value", *value, "the new value")->required();
    set->add_option("--for-account", *account, "the account whose quota it is");
    set->callback([&g, &action, name, value, account] {
        action = [&g, name, value, account](Controller& c) {
            if (!*account && g.config.is_operator)
                throw errors::missing_parameter("quota set needs --for-account: the account whose quota the operator sets");
            auto q = c.set_quota(account->value_or(g.config.account), *name, *value);
            print_one(g, q, q.name + " = " + std::to_string(q.value));
        };
    });
}

void add_route(CLI::App& app, Globals& g, Action& action) {
    auto* rte = app.add_subcommand("route", "route entries of a VPC's route table")->require_subcommand(1);
    auto spec = std::make_shared<RouteSpec>();
    auto* add = rte->add_subcommand("add", "add a route entry; prints its id");
    add->add_option("--vpc", spec->vpc_id, "the VPC whose table gets the entry")->required();
    add->add_option("--destination", spec->destination, "destination CIDR block")->required();
    add->add_option("--next-hop", spec->next_hop, "a peering connection of the VPC (pcc-...)")->required();
    add->callback([&g, &action, spec] {
        action = [&g, spec](Controller& c) {
            spec->vpc_id = vpc_ref(c, g, spec->vpc_id);
            spec->next_hop = peering_ref(c, g, spec->next_hop);
            auto r = c.add_route(*spec);
            print_one(g, r, r.id);
        };
    });
    auto import = std::make_shared<RouteSpec>();
    auto file = std::make_shared<std::string>();
    auto* imp = rte->add_subcommand("import", "add many route entries through one next hop: one destination CIDR a line");
    imp->add_option("--vpc", import->vpc_id, "the VPC")->required();
    imp->add_option("--next-hop", import->next_hop, "a peering connection of the VPC")->required();
    imp->add_option("--file", *file, "the destinations, one a line; - for standard input")->required();
    imp->callback([&g, &action, import, file] {
        action = [&g, import, file](Controller& c) {
            auto n = c.import_routes(vpc_ref(c, g, import->vpc_id), peering_ref(c, g, import->next_hop), route_file::read_path(*file));
            print_one(g, nlohmann::json{{"Imported", n}}, std::to_string(n) + " route entries imported");
        };
    });
    auto filter = std::make_shared<std::optional<std::string>>();
    add_list_show_delete<RouteEntry>(
        rte, g, action, "RouteEntryId", by_id,
        [&g, filter](Controller& c) { return c.list_routes(*filter ? std::optional(vpc_ref(c, g, **filter)) : std::nullopt); },
        [](Controller& c, const std::string& id) { return c.show_route(id); },
        [](Controller& c, const std::string& id) { c.delete_route(id); });
    rte->get_subcommand("list")->add_option("--vpc", *filter, "only this VPC's");
}

void add_observability(CLI::App& app, Globals& g, Action& action) {
    auto pcc = std::make_shared<std::optional<std::string>>();
    auto* stats = app.add_subcommand(
        "stats", "per-link counters of your peering connections (--operator: every account's, and the router's verdicts)");
    stats->add_option("peering", *pcc, "only this peering connection");
    stats->callback([&g, &action, pcc] {
        action = [&g, pcc](Controller& c) {
            if (*pcc) *pcc = peering_ref(c, g, **pcc);
            auto links = c.link_stats(*pcc);
            // the router's verdicts and lookups count every account's packets: the operator's view
            const bool router = g.config.is_operator;
            auto reasons = router ? c.reason_stats() : VerdictCounts{};
            auto lookups = router ? c.route_lookup_stats() : RouteLookupStats{};
            if (g.json) {
                nlohmann::json j{{"Links", nlohmann::json::array()}};
                if (router) {
                    j["Reasons"] = render::reasons_json(reasons);
                    j["RouteLookups"] = render::to_json(lookups);
                }
                for (const auto& l : links) j["Links"].push_back(render::to_json(l));
                std::cout << j.dump(2) << '\n';
                return;
            }
            render::table(std::cout, links);
            if (!*pcc && router) {
                std::cout << '\n';
                render::reasons_table(std::cout, reasons);
                std::cout << '\n';
                render::route_lookups(std::cout, lookups);
            }
        };
    });
    auto resource = std::make_shared<std::string>();
    auto* events = app.add_subcommand("events", "every status change, with time, account and reason");
    events->add_option("--resource,--peering", *resource, "only this resource's");
    events->callback([&g, &action, resource] { action = [&g, resource](Controller& c) { print_list(g, c.events(*resource)); }; });
}

void add_host(CLI::App& app, Globals& g, Action& action) {
    auto vpc = std::make_shared<std::string>();
    auto cmd = std::make_shared<std::vector<std::string>>();
    auto* exec = app.add_subcommand("exec", "run a command inside a VPC: xpeer exec VPC -- COMMAND ...");
    exec->add_option("vpc", *vpc, "the VPC")->required();
    exec->add_option("command", *cmd, "the command and its arguments")->required();
    exec->callback([&g, &action, vpc, cmd] {
        action = [&g, vpc, cmd](Controller& c) {
            if (g.dry_run)
                throw errors::invalid_parameter_dry_run("exec runs " + cmd->front() + " in " + *vpc + ", which xpeer cannot dry run");
            auto ns = c.vpc_netns(vpc_ref(c, g, *vpc));
            netns::exec(ns, *cmd);
        };
    });
    app.add_subcommand("teardown", "remove every namespace, link and pin of this store (the store stays)")->callback([&action] {
        action = [](Controller& c) { c.teardown(); };
    });
}

void add_hosts(CLI::App& app, Globals& g, Action& action) {
    auto* host = app.add_subcommand("host", "hosts that share the store (--etcd), each running an agent")->require_subcommand(1);
    host->add_subcommand("list", "list them: region, underlay address, lease, programmed revision (operator)")->callback([&g, &action] {
        action = [&g](Controller& c) { print_list(g, c.list_hosts()); };
    });
}

void add_region(CLI::App& app, Globals& g, Action& action) {
    auto* region = app.add_subcommand("region", "regions where VPCs can be created (the seed's list)")->require_subcommand(1);
    region->add_subcommand("list", "list them")->callback([&g, &action] {
        action = [&g](Controller&) {
            if (g.json) {
                nlohmann::json j = nlohmann::json::array();
                for (const auto& r : regions())
                    j.push_back({{"RegionId", r.id}, {"LocalName", r.name}, {"Area", r.area}, {"MainlandChina", r.mainland_china}});
                std::cout << j.dump(2) << '\n';
                return;
            }
            TextTable t({"REGION", "NAME", "AREA", "MAINLAND CHINA"});
            for (const auto& r : regions()) t.add({r.id, r.name, r.area, r.mainland_china ? "yes" : "no"});
            t.print(std::cout);
        };
    });
}

}  // namespace

CLI::App* add_commands(CLI::App& app, Globals& g, Action& action) {
    app.require_subcommand(1);
    add_globals(app, g);
    add_vpc(app, g, action);
    add_vswitch(app, g, action);
    add_instance(app, g, action);
    add_peering(app, g, action);
    add_quota(app, g, action);
    add_route(app, g, action);
    add_observability(app, g, action);
    add_host(app, g, action);
    add_hosts(app, g, action);
    add_drift(app, g, action);
    add_maps(app, g, action);
    add_region(app, g, action);
    add_telemetry(app, g, action);
    return add_agent_passthrough(app);
}

int run_cli(int argc, char** argv) {
    CLI::App app{"xpeer: cloud-style VPC peering for Linux hosts, forwarded in XDP"};
    Globals g;
    Action action;
    auto* agent = add_commands(app, g, action);

    if (auto status = parse_command_line(app, g, argc, argv)) return *status;
    if (agent->parsed()) return exit_status_of([&]() -> int { exec_agent(argv); }, g.json);
    return run_action(g, action);
}

}  // namespace xpeer
