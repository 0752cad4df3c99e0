#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "model/model.h"

namespace xpeer {

// Where a store's kernel objects live. Bound to the store on first use, so that two commands
// with different flags cannot program two data planes from one state.
struct Config {
    std::string state_path = "/var/lib/xpeer/xpeer.db";
    // etcd's client URLs, comma-separated: the desired state lives there, and state_path is this
    // host's replica of it (store/etcd/etcd_store.h). Empty: state_path is the store.
    std::string etcd;
    // This machine's name among the hosts that share the store: its agent registers it, and new
    // vSwitches are placed on it unless they name another. Empty: the only host of the region.
    std::string host;
    std::string bpffs_dir = "/sys/fs/bpf/xpeer";
    std::string datapath_netns = "xpeer-dp";
    std::string netns_prefix = "xpeer";  // VPC namespaces are PREFIX-vpc-...
    AccountId account = 1;
    // The host's operator, not a tenant: sees every account's state and counters, sets any
    // account's quotas, may override the clock. Every caller is root on the host, so this is a
    // promise of intent (--operator), not a credential: tenants reach xpeer through an API.
    bool is_operator = false;
    bool xdp_generic = false;  // attach in generic (skb) mode instead of the veth driver's
    // The router's TC twin on tc ingress (tcx) of every vSwitch veth's datapath side instead of the
    // XDP programs: GSO super-packets cross whole (--xdp-mode tc).
    bool tc_router = false;
    // The clock of timers and computations (expiry, billing windows, alerts), in unix seconds,
    // when the operator or a test overrides it. Events and creation times carry the wall clock.
    std::optional<int64_t> now;
    std::optional<int64_t> wall_now;  // the wall clock, when unit tests fix it
    std::string store_id;             // from the store, once bound (Controller fills it in)
    // store_id was made up by this process's open transaction: until it commits, another
    // process's may win (with etcd, several hosts' first commands race).
    bool store_id_pending = false;
    // Among hosts: how long a peering command waits for every host that carries the connection
    // to program it before it returns the connection Updating (--rollout-wait).
    int64_t rollout_wait_ms = 10000;
};

// Names derived from ids: stable, so that any process can find the kernel objects again.
std::string vpc_netns_name(const Config& c, const std::string& vpc_id);
std::string datapath_ifname(const std::string& vswitch_id);  // "xp" + 13 chars of the id
std::string vpc_ifname(const std::string& vswitch_id);       // "vs" + 13 chars of the id
// The folder of the pinned BPF links that attach the programs to vSwitch veths, and one end's pin.
std::string xdp_links_dir(const Config& c);  // BPFFS_DIR/links
std::string xdp_link_pin(const Config& c, const std::string& ifname);
// The pinned BPF link of the decapsulation on this host's underlay interface (xpeer agent --underlay).
std::string underlay_link_pin(const Config& c);
uint32_t vswitch_table(uint32_t vswitch_number);   // policy-routing table in the VPC
uint32_t vswitch_metric(uint32_t vswitch_number);  // metric of its main-table default route

}  // namespace xpeer
