#include "controller/kernel_dataplane.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "compiler/compiler.h"
#include "controller/rules.h"
#include "datapath/counters.h"
#include "model/errors.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "netns/pinned_tcx.h"
#include "netns/pinned_xdp.h"

namespace xpeer {

links::VswitchVethSpec vswitch_link_spec(const Config& c, const Vpc& vpc, const VSwitch& vsw) {
    links::VswitchVethSpec s;
    s.datapath_netns = c.datapath_netns;
    s.vpc_netns = vpc_netns_name(c, vpc.id);
    s.datapath_ifname = datapath_ifname(vsw.id);
    s.vpc_ifname = vpc_ifname(vsw.id);
    s.table = vswitch_table(vsw.number);
    s.metric = vswitch_metric(vsw.number);
    s.cidr = vsw.cidr;
    s.ipv6_cidr = vsw.ipv6_cidr;
    s.gateway = rules::gateway_of(vsw.cidr);
    if (vsw.ipv6_cidr) s.gateway6 = rules::gateway_of(*vsw.ipv6_cidr);
    s.ifindex_below = XP_MAX_PORTS;  // xp_ports is indexed by it
    s.tx_checksum = c.tc_router;
    return s;
}

void KernelDataplane::claim(const std::string& dir) {
    namespace fs = std::filesystem;
    const std::string mine = "owner-" + config_.store_id;
    // Another store's claim, or, among hosts sharing one etcd store, the claim of a process that
    // lost the race to bind it and is about to take it back: that one goes within milliseconds.
    // A store id this command made up waits for nobody (Controller::transact runs it again).
    for (int waited_ms = 0;; waited_ms += 50) {
        std::string other;
        bool owned = false;
        for (const auto& entry : fs::directory_iterator(dir)) {
            std::string name = entry.path().filename();
            if (name.rfind("owner-", 0) != 0) continue;
            if (name == mine)
                owned = true;
            else
                other = name.substr(6);
        }
        if (other.empty() && owned) return;
        if (other.empty()) break;
        if (config_.store_id_pending || waited_ms >= 2000)
            throw errors::config_datapath_in_use(dir + " is programmed by another store (" + other + "); give this store (" +
                                                 config_.state_path + ") its own --bpffs and --netns-prefix");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::error_code ec;
    fs::create_directory(dir + "/" + mine, ec);
    if (ec) throw SystemError("mkdir " + dir + "/" + mine, ec.value());
}

void KernelDataplane::release_claim(const std::string& store_id) {
    router_.reset();  // opened again, and claimed under the store's id
    router_opened_ = false;
    std::error_code ec;
    std::filesystem::remove(config_.bpffs_dir + "/owner-" + store_id, ec);
}

// An upgrade by another process (the agent runs for long) moves new maps and programs into the
// pins, the router program's last: the maps this object holds may be ones no program uses now.
void KernelDataplane::forget_replaced_pins() {
    struct stat st {};
    const bool pinned = ::stat((config_.bpffs_dir + "/" + kRouterProgPin).c_str(), &st) == 0;
    if (router_ && (!pinned || st.st_ino != router_pin_)) {
        router_.reset();
        router_opened_ = false;
    }
    router_pin_ = pinned ? st.st_ino : 0;
}

BpfRouter& KernelDataplane::router() {
    forget_replaced_pins();
    if (!router_) {
        if (config_.store_id.empty()) throw errors::config_unbound("store " + config_.state_path + " has no id yet");
        auto dp = BpfRouter::open_or_load(config_.bpffs_dir);
        claim(config_.bpffs_dir);
        router_ = std::move(dp);
    }
    return *router_;
}

std::optional<BpfRouter>& KernelDataplane::router_if_loaded() {
    forget_replaced_pins();
    if (!router_ && !router_opened_ && !config_.store_id.empty()) {
        router_opened_ = true;
        auto dp = BpfRouter::open_pinned(config_.bpffs_dir);
        if (dp) claim(config_.bpffs_dir);
        router_ = std::move(dp);
    }
    return router_;
}

void KernelDataplane::create_vpc(const Vpc& vpc) {
    spdlog::debug("netns create {}", vpc_netns_name(config_, vpc.id));
    netns::create(vpc_netns_name(config_, vpc.id));
}

void KernelDataplane::delete_vpc(const Vpc& vpc) {
    spdlog::debug("netns remove {}", vpc_netns_name(config_, vpc.id));
    netns::remove(vpc_netns_name(config_, vpc.id));
}

PortInfo KernelDataplane::create_vswitch(const Vpc& vpc, const VSwitch& vsw) {
    BpfRouter& dp = router();
    if (!config_.datapath_netns.empty()) netns::create(config_.datapath_netns);
    netns::create(vpc_netns_name(config_, vpc.id));
    auto spec = vswitch_link_spec(config_, vpc, vsw);
    spdlog::debug("veth {}:{} <-> {}:{}", spec.datapath_netns, spec.datapath_ifname, spec.vpc_netns, spec.vpc_ifname);
    auto link = links::create_vswitch_veth(spec);  // idempotent: completes a half-made link
    if (config_.tc_router) {
        spdlog::debug("tcx attach {} ({})", spec.datapath_ifname, link.datapath.ifindex);
        pinned_xdp::detach(xdp_link_pin(config_, spec.vpc_ifname));  // the XDP router's VPC-side program, if it ran here
        pinned_tcx::attach(xdp_link_pin(config_, spec.datapath_ifname), spec.datapath_netns, spec.datapath_ifname, dp.router_tc_fd());
        return PortInfo{link.datapath.ifindex, link.datapath.mac, link.vpc.mac};
    }
    spdlog::debug("xdp attach {} ({}), {}", spec.datapath_ifname, link.datapath.ifindex, config_.xdp_generic ? "generic" : "native");
    pinned_xdp::attach(xdp_link_pin(config_, spec.vpc_ifname), spec.vpc_netns, spec.vpc_ifname, dp.vpc_side_fd(), config_.xdp_generic);
    pinned_xdp::attach(xdp_link_pin(config_, spec.datapath_ifname), spec.datapath_netns, spec.datapath_ifname, dp.router_fd(),
                       config_.xdp_generic);
    return PortInfo{link.datapath.ifindex, link.datapath.mac, link.vpc.mac};
}

void KernelDataplane::delete_vswitch(const Vpc& vpc, const VSwitch& vsw) {
    const auto spec = vswitch_link_spec(config_, vpc, vsw);
    if (netns::exists(spec.vpc_netns)) {
        spdlog::debug("veth delete {}", spec.datapath_ifname);
        links::delete_vswitch_veth(spec);
    }
    for (const auto& ifname : {spec.datapath_ifname, spec.vpc_ifname}) pinned_xdp::unpin(xdp_link_pin(config_, ifname));
}

void KernelDataplane::add_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) {
    auto ns = vpc_netns_name(config_, vpc.id);
    auto ifname = vpc_ifname(vsw.id);
    if (inst.ip) links::add_address(ns, ifname, *inst.ip, vsw.cidr.prefix_len);
    if (inst.ipv6 && vsw.ipv6_cidr) links::add_address(ns, ifname, *inst.ipv6, vsw.ipv6_cidr->prefix_len);
}

void KernelDataplane::remove_instance(const Vpc& vpc, const VSwitch& vsw, const Instance& inst) {
    auto ns = vpc_netns_name(config_, vpc.id);
    if (!netns::exists(ns)) return;
    auto ifname = vpc_ifname(vsw.id);
    if (inst.ip) links::remove_address(ns, ifname, *inst.ip, vsw.cidr.prefix_len);
    if (inst.ipv6 && vsw.ipv6_cidr) links::remove_address(ns, ifname, *inst.ipv6, vsw.ipv6_cidr->prefix_len);
}

void KernelDataplane::remove_other_addresses(const Vpc& vpc, const VSwitch& vsw, const std::vector<Instance>& kept) {
    const auto ns = vpc_netns_name(config_, vpc.id);
    const auto ifname = vpc_ifname(vsw.id);
    if (!netns::exists(ns) || links::list_links(ns, ifname).empty()) return;
    for (const IpAddr& a : links::global_addresses(ns, ifname)) {
        const bool held = std::ranges::any_of(kept, [&](const Instance& i) { return i.ip == a || i.ipv6 == a; });
        if (held) continue;
        if (a.family == Family::V4)
            links::remove_address(ns, ifname, a, vsw.cidr.prefix_len);
        else if (vsw.ipv6_cidr)
            links::remove_address(ns, ifname, a, vsw.ipv6_cidr->prefix_len);
    }
}

ReconcileResult KernelDataplane::apply(const Snapshot& snapshot, const PortMap& ports) {
    Tables tables = compile(snapshot, ports);
    // The router finds the other hosts' MACs in the neighbour table: the kernel keeps them there.
    // A failure costs that host's traffic (drop_underlay), never the command.
    for (const auto& [slot, tunnel] : tables.tunnels) {
        IpAddr remote{tunnel.is_v6 ? Family::V6 : Family::V4, {}};
        std::copy(tunnel.remote, tunnel.remote + remote.size(), remote.bytes.begin());
        try {
            links::keep_neighbour(config_.datapath_netns, tunnel.ifindex, remote);
        } catch (const std::exception& e) {
            spdlog::warn("the neighbour entry of host {} on the underlay: {}", remote.str(), e.what());
        }
    }
    auto r = reconcile(tables, router());
    spdlog::debug("maps: {} routes v4, {} v6, {} ports, {} peerings; {} added, {} changed, {} removed", tables.routes_v4.size(),
                  tables.routes_v6.size(), tables.ports.size(), tables.peerings.size(), r.added, r.changed, r.removed);
    return r;
}

ReconcileResult KernelDataplane::plan(const Snapshot& snapshot, const PortMap& ports) {
    Tables tables = compile(snapshot, ports);
    auto& dp = router_if_loaded();
    if (dp) return xpeer::plan(tables, *dp);
    ReconcileResult r;  // nothing pinned: every entry is new
    r.added = tables.routes_v4.size() + tables.routes_v6.size() + tables.ports.size() + tables.peerings.size();
    return r;
}

ReconcileResult KernelDataplane::apply_delta(const TablesDelta& delta, const Tables* over) {
    auto r = write(delta, router(), over);
    spdlog::debug("maps: {} added, {} changed, {} removed", r.added, r.changed, r.removed);
    return r;
}

bool KernelDataplane::maps_dirty() {
    auto& dp = router_if_loaded();
    return dp && dp->read_control().dirty != 0;
}

void KernelDataplane::set_maps_dirty(bool dirty) {
    auto& dp = router();
    xp_control c = dp.read_control();
    c.dirty = dirty ? 1 : 0;
    dp.write_control(c);
}

LinkCounters KernelDataplane::link_counters(uint32_t slot, Direction direction) {
    auto& dp = router_if_loaded();
    if (!dp) return {};
    return sum(dp->link_stats.read_percpu(link_index(slot, direction)));
}

void KernelDataplane::set_link_share(uint32_t slot, Direction direction, const std::optional<LinkShare>& share) {
    auto& dp = router_if_loaded();
    if (!dp) return;
    xp_link_share s{};
    if (share) {
        s.rate_bytes = share->rate;
        s.burst_bytes = policer_burst(share->rate);
        s.fallback_bytes = share->fallback;
        s.fallback_burst_bytes = policer_burst(share->fallback);
        s.until_ns = ktime_ns(share->until);
        s.owner = peering_owner(share->peering);
    }
    dp->link_shares.put(link_index(slot, direction), s);
}

VerdictCounts KernelDataplane::reason_counters() {
    VerdictCounts out;
    for (uint32_t r = 0; r < XP_REASON_MAX; ++r) out.push_back(ReasonCount{reason_name(r)});
    auto& dp = router_if_loaded();
    if (!dp) return out;
    for (const xp_verdicts& cpu : dp->verdicts.read_percpu(0))
        for (uint32_t r = 0; r < XP_REASON_MAX; ++r) {
            out[r].packets += cpu.reason[r].packets;
            out[r].bytes += cpu.reason[r].bytes;
        }
    // Losses before or after the router, where no program runs: the VPC ends of the vSwitch veths
    // count what a full queue into the router refused, the datapath ends what the VPC end refused
    // (its XDP ring full after a redirect burst, or down).
    const auto egress = links::interface_drops(config_.datapath_netns, datapath_ifname(""));
    out[XP_REASON_DROP_EGRESS_QUEUE].packets += egress.tx + egress.rx;
    const std::string prefix = vpc_netns_name(config_, "vpc-");
    for (const auto& ns : netns::list())
        if (ns.rfind(prefix, 0) == 0) out[XP_REASON_DROP_INGRESS_QUEUE].packets += links::interface_drops(ns, vpc_ifname("")).tx;
    return out;
}

RouteLookupStats KernelDataplane::route_lookup_stats() {
    RouteLookupStats s;
    auto& dp = router_if_loaded();
    if (!dp) return s;
    for (const xp_verdicts& cpu : dp->verdicts.read_percpu(0)) {
        s.compiled += cpu.lookup[XP_LOOKUP_COMPILED];
        s.tries += cpu.lookup[XP_LOOKUP_TRIES];
    }
    s.compiled_off = dp->read_control().compiled_off != 0;
    return s;
}

uint32_t KernelDataplane::attach_underlay(const std::string& ifname) {
    BpfRouter& dp = router();
    // With the TC twin on tc ingress too: its GSO super-packets arrive whole, and go to the vSwitch
    // whole, as the twin sends them within a host.
    const bool tc = config_.tc_router;
    if ((tc ? dp.underlay_tc_fd() : dp.underlay_fd()) < 0)
        throw errors::datapath_not_loaded("the pinned router in " + config_.bpffs_dir +
                                          " has no underlay program: `xpeer --operator upgrade` loads this build's");
    // The router finds the way to another host with bpf_fib_lookup, which answers only from an
    // interface that forwards. Forwarding on the underlay alone: nothing routes from it to a VPC's
    // vSwitch link, which have no addresses in the datapath namespace.
    netns::set_sysctl(config_.datapath_netns, "net/ipv4/conf/" + ifname + "/forwarding", "1");
    try {
        netns::set_sysctl(config_.datapath_netns, "net/ipv6/conf/" + ifname + "/forwarding", "1");
    } catch (const std::exception& e) {  // a kernel booted without IPv6: an IPv4 underlay still works
        spdlog::debug("IPv6 forwarding on {}: {}", ifname, e.what());
    }
    const char* hook = tc ? "tc ingress" : config_.xdp_generic ? "generic XDP" : "native XDP";
    spdlog::debug("attach underlay {} in {} ({})", ifname, config_.datapath_netns, hook);
    if (tc)
        pinned_tcx::attach(underlay_link_pin(config_), config_.datapath_netns, ifname, dp.underlay_tc_fd(), pinned_tcx::Others::KeepOthers);
    else
        pinned_xdp::attach(underlay_link_pin(config_), config_.datapath_netns, ifname, dp.underlay_fd(), config_.xdp_generic);
    return links::ifindex(config_.datapath_netns, ifname);
}

void KernelDataplane::teardown(const std::vector<Vpc>& vpcs) {
    for (const auto& vpc : vpcs) netns::remove(vpc_netns_name(config_, vpc.id));
    if (!config_.datapath_netns.empty()) netns::remove(config_.datapath_netns);
    router_.reset();
    BpfRouter::unpin(config_.bpffs_dir);
}

}  // namespace xpeer
