#pragma once
// What every command of the CLI shares: the global flags, the action a command line selects, and
// how results are printed.
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "cli/globals.h"
#include "cli/render.h"
#include "controller/controller.h"

namespace xpeer {

// A dry run prints its plan instead of the result (the result was never made).
inline void print_plan(const Globals& g, const Controller& c) {
    if (g.json) {
        nlohmann::json j{{"DryRun", true}, {"Changes", nlohmann::json::array()}, {"Kernel", c.dry_run_steps()}};
        for (const auto& e : c.changes()) j["Changes"].push_back(render::to_json(e));
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cout << "dry run: nothing was changed. The command would record:\n";
    render::table(std::cout, c.changes());
    std::cout << "and in the kernel:\n";
    for (const auto& step : c.dry_run_steps()) std::cout << "  " << step << '\n';
    if (c.dry_run_steps().empty()) std::cout << "  nothing\n";
}

template <typename T>
void print_one(const Globals& g, const T& item, const std::string& plain) {
    if (g.dry_run) return;
    if (g.json)
        std::cout << render::to_json(item).dump(2) << '\n';
    else
        std::cout << plain << '\n';
}

template <typename T>
void print_list(const Globals& g, const std::vector<T>& items) {
    if (g.json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& i : items) j.push_back(render::to_json(i));
        std::cout << j.dump(2) << '\n';
    } else {
        render::table(std::cout, items);
    }
}

template <typename T>
void print_details(const Globals& g, const T& item) {
    if (g.dry_run) return;
    if (g.json)
        std::cout << render::to_json(item).dump(2) << '\n';
    else
        render::details(std::cout, render::to_json(item));
}

// VPCs (cli/vpc_commands.cpp).
void add_vpc(CLI::App& app, Globals& g, Action& action);

// Peering connections (cli/peering_commands.cpp).
void add_peering(CLI::App& app, Globals& g, Action& action);

// check and reconcile (cli/drift_commands.cpp).
void add_drift(CLI::App& app, Globals& g, Action& action);

// xpeer maps (cli/maps_command.cpp).
void add_maps(CLI::App& app, Globals& g, Action& action);

// Top, alerts, prices and bills (cli/telemetry_commands.cpp).
void add_telemetry(CLI::App& app, Globals& g, Action& action);

}  // namespace xpeer
