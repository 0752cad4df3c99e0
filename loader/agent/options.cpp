#include "agent/options.h"

#include "cli/time_args.h"
#include "controller/lifecycle.h"
#include "model/errors.h"

namespace xpeer {

AgentOptions AgentFlags::resolve() const {
    AgentOptions o = options;
    o.interval = time_args::parse_duration(interval);
    if (o.interval.count() <= 0) throw errors::invalid_duration("the interval must be positive");
    o.drift_interval = time_args::parse_duration(drift_interval);
    if (o.drift_interval.count() <= 0) throw errors::invalid_duration("--drift-interval " + drift_interval + ": it must be positive");
    o.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(time_args::parse_duration(lease_ttl));
    if (o.lease_ttl.count() < 2 || o.lease_ttl.count() > 3600)
        throw errors::invalid_duration("--lease-ttl " + lease_ttl + ": a host's lease lasts 2 s to 1 h");
    try {
        o.underlay_bandwidth_mbps = lifecycle::parse_bandwidth(underlay_bandwidth);
    } catch (const Error& e) {
        throw Error(e.code(), "--underlay-bandwidth: " + std::string(e.what()));
    }
    if (o.underlay_bandwidth_mbps < 0)
        throw errors::invalid_bandwidth_value("--underlay-bandwidth " + underlay_bandwidth +
                                              ": a number of Mbps, or 0 for an underlay the router does not police");
    if (o.underlay_bandwidth_mbps > lifecycle::kMaxBandwidthMbps)
        throw errors::invalid_bandwidth_too_large("--underlay-bandwidth " + underlay_bandwidth + " Mbps is above the " +
                                                  std::to_string(lifecycle::kMaxBandwidthMbps) + " Mbps the data plane can enforce");
    if (o.metrics_port < 0 || o.metrics_port > 65535)
        throw errors::invalid_metrics_port_out_of_range("--metrics-port " + std::to_string(o.metrics_port) +
                                                        " is not a TCP port: 1 to 65535, or 0 for no endpoint");
    return o;
}

CLI::App* add_agent_command(CLI::App& app, AgentFlags& flags) {
    auto* agent = app.add_subcommand("agent", "sample every link each interval: expiry, usage for bills, alerts, Prometheus metrics");
    agent->add_option("--interval", flags.interval, "sampling interval (500ms, 1s, ...)")->capture_default_str();
    agent->add_option("--drift-interval", flags.drift_interval, "how often the kernel is checked against the store, and drift repaired")
        ->capture_default_str();
    agent
        ->add_option("--metrics-address", flags.options.metrics_address,
                     "address of the metrics endpoint, the operator's: it shows every account's connections")
        ->capture_default_str();
    agent->add_option("--metrics-port", flags.options.metrics_port, "port of http://ADDRESS:PORT/metrics; 0 for none")
        ->capture_default_str();
    agent->add_option("--metrics-token-file", flags.options.metrics_token_file,
                      "serve only requests with 'Authorization: Bearer TOKEN', TOKEN the file's first line");
    agent->add_flag("--allow-local-webhooks", flags.options.allow_local_webhooks,
                    "deliver webhooks to loopback, link-local, unspecified, multicast and broadcast addresses too");
    agent->add_option("--underlay", flags.options.underlay,
                      "with --host: the interface (in the datapath namespace) other hosts reach this one at; its first global address");
    agent->add_option("--region", flags.options.region, "with --host: the host's region")->capture_default_str();
    agent->add_option("--lease-ttl", flags.lease_ttl, "with --host: a host whose agent is silent this long shows as gone")
        ->capture_default_str();
    agent
        ->add_option("--underlay-bandwidth", flags.underlay_bandwidth,
                     "with --host: Mbps the router may send to other hosts, at most the underlay's; when full, Gold and "
                     "traffic of no link type are dropped before Platinum (0: not policed)")
        ->capture_default_str();
    agent->add_option("--ticks", flags.options.ticks, "stop after this many samples (default: run until SIGINT/SIGTERM)");
    return agent;
}

void check_agent_not_dry_run(bool dry_run) {
    if (dry_run) throw errors::invalid_parameter_dry_run("the agent runs until it is stopped; it has no dry run");
}

}  // namespace xpeer
