#pragma once
#include <CLI/CLI.hpp>

#include "cli/agent_exec.h"
#include "cli/globals.h"

namespace xpeer {

// Parses the command line, runs the command, prints its result. Returns the exit status:
// 0 on success, 1 when the command was refused or failed, 2 for a malformed command line.
int run_cli(int argc, char** argv);

// Adds every command and flag of the CLI to app. Parsing a command line into app sets g and
// stores the chosen command in action, which nothing runs until run_action.
// Returns the `agent` subcommand, whose arguments are xpeer-agent's.
CLI::App* add_commands(CLI::App& app, Globals& g, Action& action);

}  // namespace xpeer
