#pragma once
// xpeer-agent's own flags, beside the global ones every xpeer program takes. `xpeer agent` execs
// xpeer-agent with its whole command line, so the CLI knows none of these.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace xpeer {

struct AgentOptions {
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds drift_interval{10000};
    std::string metrics_address = "127.0.0.1";
    int metrics_port = 9464;            // 0: no HTTP server
    std::optional<int64_t> ticks;       // stop after this many samples (tests); forever if not set
    std::string metrics_token_file;     // "": /metrics and /healthz answer anyone who can connect
    bool allow_local_webhooks = false;  // deliver to loopback, link-local, ... addresses too
    // With --host (a store in etcd): the interface in the datapath namespace that other hosts
    // reach this one at, the host's region, and how long its lease outlives a silent agent.
    std::string underlay;
    std::string region = "cn-hangzhou";
    std::chrono::seconds lease_ttl{10};
    int64_t underlay_bandwidth_mbps = 0;  // what the router may send to other hosts; 0: not policed
};

struct AgentFlags {
    std::string interval = "1s";
    std::string drift_interval = "10s";
    std::string lease_ttl = "10s";
    std::string underlay_bandwidth = "0";
    AgentOptions options;

    AgentOptions resolve() const;  // the interval and bandwidth parsed, they and the port checked
};

// Adds the `agent` subcommand with its flags to app (xpeer-agent's command line).
CLI::App* add_agent_command(CLI::App& app, AgentFlags& flags);

// Error("InvalidParameter.DryRun") if dry_run: the agent runs until stopped, with no plan to print.
void check_agent_not_dry_run(bool dry_run);

}  // namespace xpeer
