#pragma once
// The CLI in-process: a command line parsed as `xpeer` parses it, its command run on a World's
// store and fake kernel as run_action runs it, with what it prints captured.
#include <algorithm>
#include <catch2/catch.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/exit_status.h"
#include "world.h"

namespace xpeer::testing {

// The command line `xpeer ARGS...`, parsed.
struct ParsedCli {
    CLI::App app{"xpeer"};
    Globals g;
    Action action;
    CLI::App* agent = nullptr;

    explicit ParsedCli(std::vector<std::string> args) {
        agent = add_commands(app, g, action);
        args.insert(args.begin(), "xpeer");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        app.parse(static_cast<int>(argv.size()), argv.data());  // CLI::ParseError for a malformed line
    }
};

struct CliResult {
    int status = 0;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs `xpeer ARGS...` on w (the account and --operator from the command line); status as the
// binary's: 2 malformed, 1 refused, 0 done.
inline CliResult run_cli_on(World& w, const std::vector<std::string>& args) {
    CliResult r;
    std::ostringstream out, err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    struct Restore {
        std::streambuf *out, *err;
        ~Restore() {
            std::cout.rdbuf(out);
            std::cerr.rdbuf(err);
        }
    } restore{old_out, old_err};
    try {
        ParsedCli cli(args);
        r.status = exit_status_of(
            [&] {
                auto c = w.with(w.config(cli.g.config.account, cli.g.config.is_operator));
                if (cli.g.dry_run) c->set_dry_run();
                cli.action(*c);
                if (cli.g.dry_run) print_plan(cli.g, *c);
                return 0;
            },
            cli.g.json);
    } catch (const CLI::ParseError& e) {
        err << e.what() << '\n';
        r.status = 2;
    }
    r.out = out.str();
    r.err = err.str();
    return r;
}

// The first line `xpeer ARGS...` prints (a create's new id); the test stops if the command fails.
inline std::string first_line_of(World& w, const std::vector<std::string>& args) {
    auto r = run_cli_on(w, args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return r.out.substr(0, r.out.find('\n'));
}

// What `xpeer ARGS... --json` prints, parsed; the test stops if the command fails.
inline nlohmann::json json_of(World& w, std::vector<std::string> args) {
    if (std::find(args.begin(), args.end(), "--json") == args.end()) args.push_back("--json");
    auto r = run_cli_on(w, args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

}  // namespace xpeer::testing
