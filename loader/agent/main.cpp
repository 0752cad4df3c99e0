// xpeer-agent: the agent on its own, so that only it links the HTTP server and its TLS libraries.
// `xpeer agent ...` runs it on the same command line.
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/options.h"
#include "agent/single_agent.h"
#include "cli/exit_status.h"
#include "cli/globals.h"
#include "model/errors.h"
#include "netns/links.h"
#include "store/open_store.h"

namespace {

// What VXLAN adds to a VPC's IP packet on the underlay: an inner Ethernet header, VXLAN, UDP and
// the outer IP header, over IPv4 and over IPv6.
constexpr uint32_t kOverlayBytes[2] = {14 + 8 + 8 + 20, 14 + 8 + 8 + 40};

// --host and --underlay (and --underlay-bandwidth) go together, and only with a store that several hosts share.
void check_host_flags(const xpeer::Config& config, const xpeer::AgentOptions& options) {
    using namespace xpeer;
    if (config.host.empty() && !options.underlay.empty())
        throw errors::invalid_parameter_host("--underlay " + options.underlay + " is a host's: give --host NAME too");
    if (config.host.empty() && options.underlay_bandwidth_mbps)
        throw errors::invalid_parameter_host("--underlay-bandwidth " + std::to_string(options.underlay_bandwidth_mbps) +
                                             " is a host's: give --host NAME too");
    if (config.host.empty()) return;
    if (config.etcd.empty())
        throw errors::invalid_parameter_host("--host " + config.host + ": hosts share a store in etcd; give --etcd URL[,URL...] too");
    if (options.underlay.empty())
        throw errors::missing_parameter("--underlay: the interface other hosts reach host " + config.host + " at");
}

// The underlay interface's first global address, IPv4 first, in the datapath namespace.
xpeer::IpAddr underlay_address(const xpeer::Config& config, const std::string& ifname) {
    using namespace xpeer;
    std::vector<IpAddr> addresses;
    try {
        addresses = links::global_addresses(config.datapath_netns, ifname);
    } catch (const std::exception& e) {
        throw errors::invalid_host_underlay("--underlay " + ifname + " in namespace " + config.datapath_netns + ": " + e.what());
    }
    if (addresses.empty())
        throw errors::invalid_host_underlay("--underlay " + ifname + " in namespace " + config.datapath_netns +
                                            " has no global address for other hosts to reach");
    // A VPC's frame (1500 bytes of IP on its vSwitch veths) crosses whole, inside VXLAN's headers.
    const uint32_t need = 1500 + kOverlayBytes[addresses.front().family == Family::V6];
    if (const uint32_t mtu = links::mtu(config.datapath_netns, ifname); mtu < need)
        throw errors::invalid_host_underlay_mtu("--underlay " + ifname + " has MTU " + std::to_string(mtu) +
                                                "; VPC frames of 1500 bytes need " + std::to_string(need) + " inside VXLAN over " +
                                                (addresses.front().family == Family::V6 ? "IPv6" : "IPv4") + " (ip link set " + ifname +
                                                " mtu " + std::to_string(need) + ")");
    return addresses.front();
}

}  // namespace

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
                check_host_flags(g.config, options);
                return 0;
            },
            g.json))
        return status;
    return run_action(g, [&](Controller& c) {
        FileLock lock = lock_agent(g.config.state_path);
        std::unique_ptr<HostMembership> membership;
        if (!g.config.host.empty()) {
            c.register_host(HostSpec{g.config.host, options.region, underlay_address(g.config, options.underlay), options.underlay,
                                     options.underlay_bandwidth_mbps});
            const int64_t revision = c.refresh_store();
            membership = std::make_unique<HostMembership>(etcd_client(g.config), g.config.host, options.lease_ttl, revision);
            spdlog::info("host {} in {}: lease of {} s held, following the store from revision {}; underlay {}", g.config.host,
                         options.region, options.lease_ttl.count(), revision,
                         options.underlay_bandwidth_mbps ? std::to_string(options.underlay_bandwidth_mbps) + " Mbps, Platinum first"
                                                         : std::string("not policed"));
        }
        Agent(c, g.config, options, membership.get()).run();
    });
}
