// xpeer-agent: the agent on its own, so that only it links the HTTP server and its TLS libraries.
// `xpeer agent ...` runs it on the same command line.
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/options.h"
#include "agent/single_agent.h"
#include "cli/exit_status.h"
#include "cli/globals.h"

int main(int argc, char** argv) {
    using namespace xpeer;
    CLI::App app{"xpeer-agent: samples every link each interval, evaluates alerts and serves Prometheus metrics; run it as `xpeer agent`"};
    app.name("xpeer-agent");  // argv[0] is the full path `xpeer agent` execs
    app.require_subcommand(1);
    Globals g;
    add_globals(app, g);
    AgentFlags flags;
    add_agent_command(app, flags);
    if (auto status = parse_command_line(app, g, argc, argv)) return *status;
    g.config.is_operator = true;  // the host's daemon: every account's links, the router's verdicts (its --now still needs --operator)
    if (!g.verbose) spdlog::set_level(spdlog::level::info);  // a daemon says when it starts, stops and alerts
    AgentOptions options;
    if (int status = exit_status_of(
            [&] {
                check_agent_not_dry_run(g.dry_run);
                options = flags.resolve();  // bad flags: refused before the store is opened
                return 0;
            },
            g.json))
        return status;
    return run_action(g, [&](Controller& c) {
        FileLock lock = lock_agent(g.config.state_path);
        Agent(c, g.config, options).run();
    });
}
