#pragma once
// `xpeer agent` is xpeer-agent: the CLI execs it with the same command line, so that the commands
// users time (a route change, a peering) load no HTTP or TLS library, and the CLI knows none of
// the agent's flags.
#include <CLI/CLI.hpp>

namespace xpeer {

// The `agent` subcommand: every argument after it (its --help too) is left for xpeer-agent.
CLI::App* add_agent_passthrough(CLI::App& app);

// Replaces this process with xpeer-agent (next to this program's binary) on the same command
// line. Error("Agent.CannotStart") if that fails.
[[noreturn]] void exec_agent(char** argv);

}  // namespace xpeer
