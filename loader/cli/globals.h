#pragma once
// The flags every xpeer program shares (the store, the pins, the caller, ...), and how a parsed
// command line runs: one Controller, errors as exit statuses.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "controller/controller.h"

namespace xpeer {

using Action = std::function<void(Controller&)>;

struct Globals {
    Config config;
    bool json = false;
    bool verbose = false;
    bool dry_run = false;
    bool recover = true;  // repair what an interrupted command left before the action (not for check)
    std::string xdp_mode = "tc";
    std::optional<std::string> now;
    std::optional<std::string> client_token;
};

void add_globals(CLI::App& app, Globals& g);

// Parses argv into app (its callbacks set the action) and sets up logging. Returns an exit status
// when there is nothing to run: 0 after --help, 2 for a malformed command line, 1 for --now
// without --operator.
std::optional<int> parse_command_line(CLI::App& app, Globals& g, int argc, char** argv);

// Runs action on a Controller and prints what it warns of. Returns the exit status: 0 on
// success, 1 when the command was refused or failed.
int run_action(Globals& g, const Action& action);

}  // namespace xpeer
