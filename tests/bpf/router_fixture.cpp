#include "router_fixture.h"

#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>

#include "datapath/counters.h"
#include "model/error.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "netns/xdp.h"
#include "sys/unique_fd.h"

namespace xpeer::test {
namespace {

void set_up(const std::string& ifname) {
    UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq ifr{};
    std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname.c_str());
    if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) throw SystemError("SIOCGIFFLAGS " + ifname, errno);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock.get(), SIOCSIFFLAGS, &ifr) != 0) throw SystemError("SIOCSIFFLAGS " + ifname, errno);
}

// A veth pair NAME/NAMEp in the current namespace; returns NAME's ifindex.
uint32_t make_port(const std::string& name) {
    nl_sock* sk = nl_socket_alloc();
    if (!sk) throw std::runtime_error("nl_socket_alloc");
    if (nl_connect(sk, NETLINK_ROUTE) < 0) {
        nl_socket_free(sk);
        throw std::runtime_error("nl_connect");
    }
    rtnl_link* link = rtnl_link_veth_alloc();
    rtnl_link_set_name(link, name.c_str());
    rtnl_link* peer = rtnl_link_veth_get_peer(link);
    rtnl_link_set_name(peer, (name + "p").c_str());
    rtnl_link_put(peer);
    int err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_veth_release(link);
    if (err < 0) {
        nl_socket_free(sk);
        throw std::runtime_error("create veth " + name + ": " + nl_geterror(err));
    }
    for (const std::string& end : {name, name + "p"}) set_up(end);
    rtnl_link* got = nullptr;
    rtnl_link_get_kernel(sk, 0, name.c_str(), &got);
    uint32_t ifindex = got ? static_cast<uint32_t>(rtnl_link_get_ifindex(got)) : 0;
    if (got) rtnl_link_put(got);
    nl_socket_free(sk);
    return ifindex;
}

Vpc vpc(uint32_t key, const std::string& id, const std::string& cidr, const std::string& v6 = "") {
    Vpc v;
    v.key = key;
    v.id = id;
    v.cidr = Cidr::parse(cidr);
    if (!v6.empty()) v.ipv6_cidr = Cidr::parse(v6);
    return v;
}

VSwitch vsw(uint32_t number, const std::string& id, const std::string& vpc, const std::string& cidr, const std::string& v6 = "") {
    VSwitch s;
    s.number = number;
    s.id = id;
    s.vpc_id = vpc;
    s.cidr = Cidr::parse(cidr);
    if (!v6.empty()) s.ipv6_cidr = Cidr::parse(v6);
    return s;
}

Peering peering(uint32_t slot, const std::string& id, const std::string& a, const std::string& b, PeeringStatus st) {
    Peering p;
    p.slot = slot;
    p.id = id;
    p.vpc_id = a;
    p.peer_vpc_id = b;
    p.status = st;
    return p;
}

RouteEntry route(const std::string& vpc, const std::string& dst, const std::string& pcc) {
    static int n = 0;
    return RouteEntry{"rte-" + std::to_string(++n), vpc, Cidr::parse(dst), pcc, 0};
}

}  // namespace

Mac fixture_mac(uint8_t side, uint8_t n) { return Mac{0x02, 0x58, static_cast<uint8_t>(0x10 + side), n, side, n}; }

OnCpu::OnCpu(int cpu) {
    if (sched_getaffinity(0, sizeof(saved_), &saved_) != 0) throw SystemError("sched_getaffinity", errno);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) != 0) throw SystemError("sched_setaffinity " + std::to_string(cpu), errno);
}

OnCpu::~OnCpu() { sched_setaffinity(0, sizeof(saved_), &saved_); }

namespace {

// The namespaces of fixtures whose process died before their destructor ran (an abort, a
// sanitizer's report): "xpt-bpf-PID-N" with no process PID.
void remove_dead_runs() {
    for (const auto& ns : netns::list()) {
        if (ns.rfind("xpt-bpf-", 0) != 0) continue;
        const std::string pid = ns.substr(8, ns.find('-', 8) - 8);
        if (!pid.empty() && ::kill(std::stoi(pid), 0) != 0 && errno == ESRCH) netns::remove(ns);
    }
}

}  // namespace

RouterFixture::RouterFixture() : dp(BpfRouter::load_unpinned()) {
    static std::atomic<int> counter{0};
    static std::once_flag swept;
    std::call_once(swept, remove_dead_runs);
    netns = "xpt-bpf-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    netns::create(netns);
    try {
        // No kernel-sent IPv6 (router solicitations, MLD) on the ports: tests count every frame a port receives.
        for (const char* scope : {"all", "default"}) netns::set_sysctl(netns, std::string("net/ipv6/conf/") + scope + "/disable_ipv6", "1");
        netns::run_in(netns, [&] {
            if_a1 = make_port("a1");
            if_a2 = make_port("a2");
            if_b1 = make_port("b1");
            if_c1 = make_port("c1");
        });
        // The VPC ends get the VPC-side program, as in production, so that redirected frames arrive.
        for (const char* peer : {"a1p", "a2p", "b1p", "c1p"}) links::attach_xdp(netns, peer, dp.vpc_side_fd(), false);
    } catch (...) {
        netns::remove(netns);
        throw;
    }
    snapshot.vpcs = {vpc(1, "vpc-a", "10.1.0.0/16", "fd00:a::/48"), vpc(2, "vpc-b", "10.2.0.0/16", "fd00:b::/48"),
                     vpc(3, "vpc-c", "10.3.0.0/16")};
    snapshot.vswitches = {vsw(0, "vsw-a1", "vpc-a", "10.1.1.0/24", "fd00:a:0:1::/64"), vsw(3, "vsw-a2", "vpc-a", "10.1.2.0/24"),
                          vsw(1, "vsw-b1", "vpc-b", "10.2.1.0/24", "fd00:b:0:1::/64"), vsw(2, "vsw-c1", "vpc-c", "10.3.1.0/24")};
    snapshot.peerings = {peering(5, "pcc-ab", "vpc-a", "vpc-b", PeeringStatus::Activated),
                         peering(6, "pcc-bc", "vpc-b", "vpc-c", PeeringStatus::Activated),
                         peering(7, "pcc-ac", "vpc-a", "vpc-c", PeeringStatus::PeerAccepting)};
    snapshot.routes = {route("vpc-a", "10.2.0.0/16", "pcc-ab"), route("vpc-a", "fd00:b::/48", "pcc-ab"),
                       route("vpc-a", "10.3.0.0/16", "pcc-ab"), route("vpc-a", "10.5.0.0/16", "pcc-ac"),
                       route("vpc-b", "10.1.0.0/16", "pcc-ab"), route("vpc-b", "fd00:a::/48", "pcc-ab"),
                       route("vpc-b", "10.3.0.0/16", "pcc-bc")};
    ports = {{"vsw-a1", PortInfo{if_a1, fixture_mac(1, 1), fixture_mac(2, 1)}},
             {"vsw-a2", PortInfo{if_a2, fixture_mac(1, 2), fixture_mac(2, 2)}},
             {"vsw-b1", PortInfo{if_b1, fixture_mac(1, 3), fixture_mac(2, 3)}},
             {"vsw-c1", PortInfo{if_c1, fixture_mac(1, 4), fixture_mac(2, 4)}}};
    reconcile(compile(snapshot, ports), dp);
}

RouterFixture::~RouterFixture() { netns::remove(netns); }

// One BPF_PROG_TEST_RUN of the router on a frame entering through ingress_ifindex.
// With `out`, the frame as the program left it; without, live: a redirect really transmits.
int RouterFixture::test_run(int prog_fd, const Frame& in, uint32_t ingress_ifindex, Frame* out) {
    return netns::run_in(netns, [&] {
        xdp_md ctx{};
        ctx.data_end = static_cast<__u32>(in.bytes.size());
        ctx.ingress_ifindex = ingress_ifindex;
        bpf_test_run_opts opts{};
        opts.sz = sizeof(opts);
        opts.data_in = in.bytes.data();
        opts.data_size_in = static_cast<__u32>(in.bytes.size());
        opts.ctx_in = &ctx;
        opts.ctx_size_in = sizeof(ctx);
        opts.repeat = 1;
        if (out) {
            out->bytes.assign(in.bytes.size() + 256, 0);
            opts.data_out = out->bytes.data();
            opts.data_size_out = static_cast<__u32>(out->bytes.size());
        } else {
            opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
        }
        if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) throw SystemError("bpf_prog_test_run_opts", errno);
        if (out) out->bytes.resize(opts.data_size_out);
        return static_cast<int>(opts.retval);
    });
}

RunResult RouterFixture::run_tc(const Frame& in, uint32_t ingress_ifindex, uint32_t gso_segs, uint32_t gso_size) {
    return run_skb(dp.router_tc_fd(), in, ingress_ifindex, gso_segs, gso_size);
}

RunResult RouterFixture::run_underlay_tc(const Frame& in, uint32_t ingress_ifindex, uint32_t gso_segs, uint32_t gso_size) {
    return run_skb(dp.underlay_tc_fd(), in, ingress_ifindex, gso_segs, gso_size);
}

RunResult RouterFixture::run_skb(int prog_fd, const Frame& in, uint32_t ingress_ifindex, uint32_t gso_segs, uint32_t gso_size) {
    RunResult r;
    r.ret = netns::run_in(netns, [&] {
        __sk_buff ctx{};
        ctx.ifindex = ingress_ifindex;
        ctx.ingress_ifindex = ingress_ifindex;
        ctx.gso_segs = gso_segs;
        ctx.gso_size = gso_size;
        r.out.bytes.assign(in.bytes.size() + 256, 0);
        bpf_test_run_opts opts{};
        opts.sz = sizeof(opts);
        opts.data_in = in.bytes.data();
        opts.data_size_in = static_cast<__u32>(in.bytes.size());
        opts.data_out = r.out.bytes.data();
        opts.data_size_out = static_cast<__u32>(r.out.bytes.size());
        opts.ctx_in = &ctx;
        opts.ctx_size_in = sizeof(ctx);
        opts.repeat = 1;
        if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) throw SystemError("bpf_prog_test_run_opts (tc)", errno);
        r.out.bytes.resize(opts.data_size_out);
        return static_cast<int>(opts.retval);
    });
    return r;
}

RunResult RouterFixture::run(const Frame& in, uint32_t ingress_ifindex) {
    RunResult r;
    r.ret = test_run(dp.router_fd(), in, ingress_ifindex, &r.out);
    return r;
}

RunResult RouterFixture::run_underlay(const Frame& in, uint32_t ingress_ifindex) {
    RunResult r;
    r.ret = test_run(dp.underlay_fd(), in, ingress_ifindex, &r.out);
    return r;
}

void RouterFixture::run_live(const Frame& in, uint32_t ingress_ifindex) { test_run(dp.router_fd(), in, ingress_ifindex, nullptr); }

uint64_t RouterFixture::rx_packets(const std::string& ifname) {
    return netns::run_in(netns, [&] {
        nl_sock* sk = nl_socket_alloc();
        if (!sk) throw std::runtime_error("nl_socket_alloc");
        uint64_t n = 0;
        rtnl_link* link = nullptr;
        if (nl_connect(sk, NETLINK_ROUTE) == 0 && rtnl_link_get_kernel(sk, 0, ifname.c_str(), &link) == 0) {
            n = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS);
            rtnl_link_put(link);
        }
        nl_socket_free(sk);
        return n;
    });
}

xp_counters RouterFixture::reason(enum xp_reason r) {
    xp_counters s{};
    for (const xp_verdicts& cpu : dp.verdicts.read_percpu(0)) {
        s.packets += cpu.reason[r].packets;
        s.bytes += cpu.reason[r].bytes;
    }
    return s;
}

uint64_t RouterFixture::lookups(enum xp_lookup lookup) {
    uint64_t n = 0;
    for (const xp_verdicts& cpu : dp.verdicts.read_percpu(0)) n += cpu.lookup[lookup];
    return n;
}

xp_port RouterFixture::port(uint32_t ifindex) { return sum(dp.ports.read_percpu(ifindex)); }

LinkCounters RouterFixture::link(uint32_t slot, xp_direction dir) { return sum(dp.link_stats.read_percpu(slot * XP_DIR_MAX + dir)); }

}  // namespace xpeer::test
