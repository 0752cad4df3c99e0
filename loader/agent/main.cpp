// xpeer-agent: the agent on its own, so that only it links the HTTP server and its TLS libraries.
// `xpeer agent ...` runs it on the same command line.
#include "agent/agent.h"
#include "cli/agent_command.h"
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
    return run_action(g, [&flags](Controller& c) { Agent(c, flags.resolve()).run(); });
}
