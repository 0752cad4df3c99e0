#include "cli/globals.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_status.h"
#include "cli/time_args.h"
#include "controller/names.h"

namespace xpeer {

void add_globals(CLI::App& app, Globals& g) {
    // Call before adding subcommands, which inherit it: a flag a subcommand does not know falls
    // through to app, so `xpeer vpc list --json` works as `xpeer --json vpc list` does. A
    // subcommand's own option of the same name wins (`vpc share V --account U` names the principal).
    app.fallthrough();
    app.add_option("--state", g.config.state_path, "the store (SQLite); with --etcd, this host's replica of it")
        ->envname("XPEER_STATE")
        ->capture_default_str();
    app.add_option("--etcd", g.config.etcd, "the store in etcd v3: client URLs, http://HOST:PORT[,...]")->envname("XPEER_ETCD");
    app.add_option("--host", g.config.host, "with --etcd: the host new vSwitches go on (`agent --host H`: this machine's host, H)")
        ->envname("XPEER_HOST");
    app.add_option("--rollout-wait", g.config.rollout_wait_ms,
                   "with hosts: milliseconds a peering command waits for every host that carries it to program it")
        ->envname("XPEER_ROLLOUT_WAIT")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--bpffs", g.config.bpffs_dir, "folder for pinned maps and programs")->envname("XPEER_BPFFS")->capture_default_str();
    app.add_option("--datapath-netns", g.config.datapath_netns, "namespace of the router's side of every vSwitch")
        ->envname("XPEER_DATAPATH_NETNS")
        ->capture_default_str();
    app.add_option("--netns-prefix", g.config.netns_prefix, "VPC namespaces are named PREFIX-vpc-...")
        ->envname("XPEER_NETNS_PREFIX")
        ->capture_default_str();
    app.add_option("--account", g.config.account, "the caller's account UID")->envname("XPEER_ACCOUNT")->capture_default_str();
    app.add_flag("--operator", g.config.is_operator, "act as the host's operator, not as an account")->envname("XPEER_OPERATOR");
    app.add_option("--xdp-mode", g.xdp_mode, "how the router attaches to vSwitch veths: tc (its TC twin, tcx), native or generic (XDP)")
        ->envname("XPEER_XDP_MODE")
        ->check(CLI::IsMember({"tc", "native", "generic"}))
        ->capture_default_str();
    app.add_flag("--json", g.json, "machine-readable output");
    app.add_flag("-v,--verbose", g.verbose, "log every kernel step to stderr");
    app.add_flag("--dry-run", g.dry_run, "validate and print what would change; change nothing");
    app.add_option("--client-token", g.client_token, "a create retried with the same token returns the first result");
    app.add_option("--now", g.now,
                   "the clock of timers (expiry, bills, alerts): unix seconds or 2026-12-03T00:00:00Z; with --operator only")
        ->envname("XPEER_NOW");
}

namespace {

// --json before exec's "--": errors found before and while parsing, when Globals::json may not
// be set yet, are JSON too.
bool json_requested(int argc, char** argv) {
    for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
        if (std::string_view(argv[i]) == "--json") return true;
    return false;
}

}  // namespace

std::optional<int> parse_command_line(CLI::App& app, Globals& g, int argc, char** argv) {
    const bool json = json_requested(argc, argv);
    // Arguments end up in the store and in other accounts' terminals; a command run by `exec`
    // (after "--") is the VPC's business.
    for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
        if (names::printable(argv[i])) continue;
        print_error(std::cerr, json, errors::code::InvalidParameterControlCharacter,
                    "argument " + std::to_string(i) + " has a control character or is not UTF-8; xpeer takes printable text");
        return 1;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (json)
            print_error(std::cerr, true, errors::code::InvalidCommandLine, e.what());
        else
            app.exit(e);
        return 2;
    }
    // The clock drives every account's timers: a tenant's --now would expire the others' requests.
    if (g.now && !g.config.is_operator) {
        print_error(std::cerr, g.json, errors::code::ForbiddenOperator,
                    "--now (XPEER_NOW) moves the clock of every account's timers; only the host's operator (--operator) may set it");
        return 1;
    }
    g.config.xdp_generic = g.xdp_mode == "generic";
    g.config.tc_router = g.xdp_mode == "tc";
    spdlog::set_default_logger(spdlog::stderr_color_mt("xpeer"));
    spdlog::set_pattern("%^%l%$: %v");
    spdlog::set_level(g.verbose ? spdlog::level::debug : spdlog::level::warn);
    return std::nullopt;
}

int run_action(Globals& g, const Action& action) {
    return exit_status_of(
        [&] {
            if (g.now) g.config.now = time_args::parse_time(*g.now);
            Controller controller(g.config);
            if (g.dry_run) controller.set_dry_run();
            if (g.client_token) controller.set_client_token(*g.client_token);
            if (g.recover) controller.recover_interrupted();
            action(controller);
            if (g.dry_run) print_plan(g, controller);
            for (const auto& w : controller.warnings()) std::cerr << "warning: " << w << '\n';
            return 0;
        },
        g.json);
}

}  // namespace xpeer
