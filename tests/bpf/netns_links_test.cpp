// Root only: real namespaces, veths, addresses, rules; everything read back with libnl.
#include <net/if.h>  // before libnl, which pulls in <linux/if.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "model/errors.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "netns/pinned_tcx.h"
#include "netns/pinned_xdp.h"
#include "netns/policy_rules.h"
#include "netns/xdp.h"

using namespace xpeer;
using Catch::Matchers::Contains;

namespace {

std::string unique_ns(const std::string& suffix) { return "xpt-" + std::to_string(getpid()) + "-" + suffix; }

// Catch2 assertions are not for other threads: code run inside a namespace throws instead.
void ensure(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what + " failed: " + std::strerror(errno));
}

// Creates the namespaces; removes them however the test ends (also if a later create fails).
class NsGuard {
public:
    explicit NsGuard(std::vector<std::string> names) : names_(std::move(names)) {
        try {
            for (const auto& name : names_) netns::create(name);
        } catch (...) {
            remove_all();
            throw;
        }
    }
    ~NsGuard() { remove_all(); }

private:
    void remove_all() noexcept {
        for (const auto& name : names_) {
            try {
                netns::remove(name);
            } catch (...) {
            }
        }
    }
    std::vector<std::string> names_;
};

// Calls fn for every object of a freshly dumped libnl cache, inside the namespace.
using CacheAlloc = std::function<int(nl_sock*, nl_cache**)>;
void for_each(const std::string& ns, const CacheAlloc& alloc, const std::function<void(nl_object*)>& fn) {
    netns::run_in(ns, [&] {
        nl_sock* sk = nl_socket_alloc();
        ensure(sk && nl_connect(sk, NETLINK_ROUTE) == 0, "nl_connect");
        nl_cache* cache = nullptr;
        const int rc = alloc(sk, &cache);
        nl_socket_free(sk);
        ensure(rc == 0, "cache dump");
        for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) fn(o);
        nl_cache_free(cache);
    });
}

std::string str(nl_addr* a) {
    char buf[128];
    return a ? nl_addr2str(a, buf, sizeof buf) : "";
}

// "10.1.0.10/24 flags", one per address of the interface.
std::vector<std::string> addresses(const std::string& ns, uint32_t idx) {
    std::vector<std::string> out;
    for_each(
        ns, [](nl_sock* sk, nl_cache** c) { return rtnl_addr_alloc_cache(sk, c); },
        [&](nl_object* o) {
            auto* a = reinterpret_cast<rtnl_addr*>(o);
            if (static_cast<uint32_t>(rtnl_addr_get_ifindex(a)) != idx) return;
            const unsigned flags = rtnl_addr_get_flags(a);
            out.push_back(str(rtnl_addr_get_local(a)) + ((flags & IFA_F_NODAD) ? " nodad" : "") +
                          ((flags & IFA_F_TENTATIVE) ? " tentative" : ""));
        });
    return out;
}

// "10.1.0.1 lladdr 02:.. permanent" for the interface's neighbour entries.
std::vector<std::string> neighbours(const std::string& ns, uint32_t idx) {
    std::vector<std::string> out;
    for_each(
        ns, [](nl_sock* sk, nl_cache** c) { return rtnl_neigh_alloc_cache(sk, c); },
        [&](nl_object* o) {
            auto* n = reinterpret_cast<rtnl_neigh*>(o);
            if (static_cast<uint32_t>(rtnl_neigh_get_ifindex(n)) != idx) return;
            out.push_back(str(rtnl_neigh_get_dst(n)) + " lladdr " + str(rtnl_neigh_get_lladdr(n)) +
                          ((rtnl_neigh_get_state(n) & NUD_PERMANENT) ? " permanent" : ""));
        });
    return out;
}

// "from 10.1.0.0/24 lookup 101 prio 1101" for rules that send to a table.
std::vector<std::string> rules(const std::string& ns) {
    std::vector<std::string> out;
    for_each(
        ns, [](nl_sock* sk, nl_cache** c) { return rtnl_rule_alloc_cache(sk, AF_UNSPEC, c); },
        [&](nl_object* o) {
            auto* r = reinterpret_cast<rtnl_rule*>(o);
            if (rtnl_rule_get_action(r) != FR_ACT_TO_TBL || !rtnl_rule_get_src(r)) return;
            out.push_back("from " + str(rtnl_rule_get_src(r)) + " lookup " + std::to_string(rtnl_rule_get_table(r)) + " prio " +
                          std::to_string(rtnl_rule_get_prio(r)));
        });
    return out;
}

// "table 101 default via 10.1.0.1 dev 2 onlink metric 0" for default routes.
std::vector<std::string> default_routes(const std::string& ns) {
    std::vector<std::string> out;
    for_each(
        ns, [](nl_sock* sk, nl_cache** c) { return rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, c); },
        [&](nl_object* o) {
            auto* r = reinterpret_cast<rtnl_route*>(o);
            if (nl_addr_get_prefixlen(rtnl_route_get_dst(r)) != 0 || rtnl_route_get_nnexthops(r) != 1) return;
            rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
            out.push_back("table " + std::to_string(rtnl_route_get_table(r)) + " default via " + str(rtnl_route_nh_get_gateway(nh)) +
                          " dev " + std::to_string(rtnl_route_nh_get_ifindex(nh)) +
                          ((rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK) ? " onlink" : "") + " metric " +
                          std::to_string(rtnl_route_get_priority(r)));
        });
    return out;
}

// An interface ioctl inside the namespace; `data` goes to ifr_data.
ifreq if_ioctl(const std::string& ns, const std::string& ifname, unsigned long request, void* data = nullptr) {
    return netns::run_in(ns, [&] {
        const netns::Fd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
        ifr.ifr_data = static_cast<char*>(data);
        ensure(sock && ioctl(sock.get(), request, &ifr) == 0, "ioctl on " + ifname);
        return ifr;
    });
}

bool tx_checksumming(const std::string& ns, const std::string& ifname) {
    ethtool_value ev{ETHTOOL_GTXCSUM, 0};
    if_ioctl(ns, ifname, SIOCETHTOOL, &ev);
    return ev.data != 0;
}

bool is_up(const std::string& ns, const std::string& ifname) { return if_ioctl(ns, ifname, SIOCGIFFLAGS).ifr_flags & IFF_UP; }

std::string read_proc(const std::string& ns, const std::string& path) {
    return netns::run_in(ns, [&] {
        std::string v;
        std::ifstream(path) >> v;
        return v;
    });
}

ino_t ns_inode(const std::string& ns) {
    struct stat st {};
    REQUIRE(fstat(netns::open(ns).get(), &st) == 0);
    return st.st_ino;
}

// XDP_ATTACHED_NONE / _DRV / _SKB
int xdp_mode(const std::string& ns, const std::string& ifname) {
    const uint32_t idx = links::ifindex(ns, ifname);
    return netns::run_in(ns, [&] {
        bpf_xdp_query_opts q{};
        q.sz = sizeof q;
        ensure(bpf_xdp_query(static_cast<int>(idx), 0, &q) == 0, "bpf_xdp_query");
        return static_cast<int>(q.attach_mode);
    });
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

links::VswitchVethSpec vswitch_spec(const std::string& dp, const std::string& vpc) {
    links::VswitchVethSpec s;
    s.datapath_netns = dp;
    s.vpc_netns = vpc;
    s.datapath_ifname = "xp-vsw-1";
    s.vpc_ifname = "vsw-1";
    s.table = 101;
    s.metric = 10;
    s.cidr = Cidr::parse("10.1.0.0/24");
    s.ipv6_cidr = Cidr::parse("fd00:1::/64");
    s.gateway = IpAddr::parse("10.1.0.1");
    s.gateway6 = IpAddr::parse("fd00:1::1");
    return s;
}

// "from 10.1.0.0/24 lookup 101 prio 1101", for readable failures.
std::vector<std::string> strs(const std::vector<links::PolicyRule>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules)
        out.push_back("from " + r.from.str() + " lookup " + std::to_string(r.table) + " prio " + std::to_string(r.priority));
    return out;
}

// `ip rule add from all lookup <table> priority <prio>`, behind xpeer's back. Without NLM_F_EXCL,
// as the kernel counts a `from all` rule as existing once any rule of that table and priority does.
void add_rule_from_all(const std::string& ns, int family, uint32_t table, uint32_t prio) {
    netns::run_in(ns, [&] {
        nl_sock* sk = nl_socket_alloc();
        ensure(sk && nl_connect(sk, NETLINK_ROUTE) == 0, "nl_connect");
        rtnl_rule* r = rtnl_rule_alloc();
        rtnl_rule_set_family(r, family);
        rtnl_rule_set_table(r, table);
        rtnl_rule_set_prio(r, prio);
        rtnl_rule_set_action(r, FR_ACT_TO_TBL);
        const int rc = rtnl_rule_add(sk, r, 0);
        rtnl_rule_put(r);
        nl_socket_free(sk);
        if (rc < 0) throw std::runtime_error(std::string("rtnl_rule_add: ") + nl_geterror(rc));
    });
}

std::string error_code(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

}  // namespace

TEST_CASE("netns: create, enter, exec and remove a named namespace", "[netns]") {
    const std::string name = unique_ns("a");
    NsGuard guard({name});
    netns::create(name);  // idempotent
    REQUIRE(netns::exists(name));
    REQUIRE(contains(netns::list(), name));

    const ino_t inode = ns_inode(name);
    REQUIRE(inode != ns_inode(""));
    const auto inside = [] {
        struct stat st {};
        stat("/proc/thread-self/ns/net", &st);
        return st.st_ino;
    };
    CHECK(netns::run_in(name, inside) == inode);
    CHECK(netns::run_in("", inside) == ns_inode(""));
    CHECK_THROWS_WITH(netns::run_in(name, []() -> int { throw std::runtime_error("boom"); }), "boom");
    CHECK(is_up(name, "lo"));

    netns::set_sysctl(name, "net/ipv4/ip_forward", "1");
    CHECK(read_proc(name, "/proc/sys/net/ipv4/ip_forward") == "1");

    int out[2];
    REQUIRE(pipe(out) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        try {
            netns::exec(name, {"readlink", "/proc/self/ns/net"});
        } catch (...) {
        }
        _exit(127);
    }
    close(out[1]);
    char buf[64] = {};
    const ssize_t n = read(out[0], buf, sizeof buf - 1);
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(n > 0);
    CHECK(std::string(buf, n) == "net:[" + std::to_string(inode) + "]\n");

    netns::remove(name);
    CHECK_FALSE(netns::exists(name));
    CHECK_NOTHROW(netns::remove(name));
    // A missing namespace is a system condition (drift), not a rule: the controller repairs it.
    CHECK_THROWS_AS(netns::open(name), SystemError);
    CHECK_THROWS_WITH(netns::run_in(name, [] {}), Contains(name));
    CHECK_THROWS_AS(netns::exec(name, {"true"}), SystemError);
}

TEST_CASE("links: a vSwitch veth with addresses, neighbours, routes and rules", "[netns]") {
    const std::string dp = unique_ns("dp"), vpc = unique_ns("vpc");
    NsGuard guard({dp, vpc});
    const auto spec = vswitch_spec(dp, vpc);

    const links::VswitchVeth link = links::create_vswitch_veth(spec);
    CHECK(link.datapath.ifindex == links::ifindex(dp, "xp-vsw-1"));
    CHECK(link.vpc.ifindex == links::ifindex(vpc, "vsw-1"));
    CHECK(links::create_vswitch_veth(spec).vpc.ifindex == link.vpc.ifindex);  // idempotent
    REQUIRE(links::find_vswitch_veth(spec).has_value());

    links::add_address(vpc, "vsw-1", IpAddr::parse("10.1.0.10"), 24);
    links::add_address(vpc, "vsw-1", IpAddr::parse("fd00:1::10"), 64);
    links::add_address(vpc, "vsw-1", IpAddr::parse("10.1.0.10"), 24);  // idempotent

    const auto addrs = addresses(vpc, link.vpc.ifindex);
    CHECK(contains(addrs, "10.1.0.10/24"));
    CHECK(contains(addrs, "fd00:1::10/64 nodad"));

    char mac[18];
    std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", link.datapath.mac[0], link.datapath.mac[1], link.datapath.mac[2],
                  link.datapath.mac[3], link.datapath.mac[4], link.datapath.mac[5]);
    const auto neigh = neighbours(vpc, link.vpc.ifindex);
    CHECK(contains(neigh, "10.1.0.1 lladdr " + std::string(mac) + " permanent"));
    CHECK(contains(neigh, "fd00:1::1 lladdr " + std::string(mac) + " permanent"));

    const auto rule_list = rules(vpc);
    CHECK(contains(rule_list, "from 10.1.0.0/24 lookup 101 prio 1101"));
    CHECK(contains(rule_list, "from fd00:1::/64 lookup 101 prio 1101"));

    const std::string dev = " dev " + std::to_string(link.vpc.ifindex) + " onlink";
    const auto routes = default_routes(vpc);
    CHECK(contains(routes, "table 101 default via 10.1.0.1" + dev + " metric 0"));
    CHECK(contains(routes, "table 254 default via 10.1.0.1" + dev + " metric 10"));
    CHECK(contains(routes, "table 101 default via fd00:1::1" + dev + " metric 1024"));  // v6 metric 0 means 1024
    CHECK(contains(routes, "table 254 default via fd00:1::1" + dev + " metric 10"));

    CHECK(is_up(vpc, "vsw-1"));
    CHECK(is_up(dp, "xp-vsw-1"));
    CHECK_FALSE(tx_checksumming(vpc, "vsw-1"));
    CHECK(tx_checksumming(dp, "xp-vsw-1"));
    auto for_tc = spec;  // the TC twin keeps the VPC side's offload: made again, it is on
    for_tc.tx_checksum = true;
    links::create_vswitch_veth(for_tc);
    CHECK(tx_checksumming(vpc, "vsw-1"));
    CHECK(read_proc(dp, "/proc/sys/net/ipv6/conf/xp-vsw-1/disable_ipv6") == "1");
    CHECK(read_proc(vpc, "/proc/sys/net/ipv6/conf/vsw-1/accept_dad") == "0");

    links::remove_address(vpc, "vsw-1", IpAddr::parse("fd00:1::10"), 64);
    links::remove_address(vpc, "vsw-1", IpAddr::parse("fd00:1::10"), 64);  // idempotent
    CHECK_FALSE(contains(addresses(vpc, link.vpc.ifindex), "fd00:1::10/64 nodad"));

    links::delete_vswitch_veth(spec);
    CHECK_FALSE(links::find_vswitch_veth(spec).has_value());
    CHECK_THROWS_WITH(links::ifindex(dp, "xp-vsw-1"), Contains("xp-vsw-1") && Contains(dp));
    CHECK_THROWS(links::ifindex(vpc, "vsw-1"));
    CHECK(rules(vpc).empty());
    CHECK(default_routes(vpc).empty());
    CHECK_NOTHROW(links::delete_vswitch_veth(spec));
    CHECK_NOTHROW(links::remove_address(vpc, "vsw-1", IpAddr::parse("10.1.0.10"), 24));
}

TEST_CASE("links: with ifindex_below, the datapath side takes the lowest free ifindex, and a link above it is made again", "[netns]") {
    const std::string dp = unique_ns("dpi"), vpc = unique_ns("vpci");
    NsGuard guard({dp, vpc});
    for (int idx : {2, 3})  // lo is 1; the peers take 10 and 11 (no dummy driver everywhere)
        REQUIRE(std::system(("ip -n " + dp + " link add xpt-d" + std::to_string(idx) + " index " + std::to_string(idx) +
                             " type veth peer name xpt-p" + std::to_string(idx) + " index " + std::to_string(idx + 8))
                                .c_str()) == 0);
    auto spec = vswitch_spec(dp, vpc);
    spec.ifindex_below = 8;
    CHECK(links::create_vswitch_veth(spec).datapath.ifindex == 4);
    CHECK(links::create_vswitch_veth(spec).datapath.ifindex == 4);  // idempotent: not made again

    REQUIRE(std::system(("ip -n " + dp + " link del xpt-d3").c_str()) == 0);
    spec.ifindex_below = 4;
    const links::VswitchVeth again = links::create_vswitch_veth(spec);
    CHECK(again.datapath.ifindex == 3);
    CHECK(again.vpc.ifindex == links::ifindex(vpc, "vsw-1"));
    CHECK(contains(strs(links::list_rules(vpc, 1101, 1101)), "from 10.1.0.0/24 lookup 101 prio 1101"));

    spec.ifindex_below = 3;  // nothing below 3 is free
    CHECK_THROWS_WITH(links::create_vswitch_veth(spec), Contains("no ifindex below 3"));
    CHECK_FALSE(links::find_vswitch_veth(spec).has_value());
}

TEST_CASE("links: XDP attach replaces the program in either mode, detach removes it", "[netns]") {
    const std::string dp = unique_ns("xdp"), vpc = unique_ns("xvpc");
    NsGuard guard({dp, vpc});
    const auto spec = vswitch_spec(dp, vpc);
    links::create_vswitch_veth(spec);

    const bpf_insn pass[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    const netns::Fd prog(bpf_prog_load(BPF_PROG_TYPE_XDP, "xpt_pass", "GPL", pass, 2, nullptr));
    REQUIRE(prog);

    links::attach_xdp(dp, "xp-vsw-1", prog.get(), false);
    CHECK(xdp_mode(dp, "xp-vsw-1") == XDP_ATTACHED_DRV);
    links::attach_xdp(dp, "xp-vsw-1", prog.get(), false);  // replaced in place
    CHECK(xdp_mode(dp, "xp-vsw-1") == XDP_ATTACHED_DRV);
    links::attach_xdp(dp, "xp-vsw-1", prog.get(), true);  // native -> generic
    CHECK(xdp_mode(dp, "xp-vsw-1") == XDP_ATTACHED_SKB);
    links::detach_xdp(dp, "xp-vsw-1");
    CHECK(xdp_mode(dp, "xp-vsw-1") == XDP_ATTACHED_NONE);
    CHECK_NOTHROW(links::detach_xdp(dp, "no-such-if"));
    links::delete_vswitch_veth(spec);
}

TEST_CASE("pinned XDP links: attach is idempotent, update is one step, netlink cannot displace them", "[netns]") {
    const std::string dp = unique_ns("pxdp"), vpc = unique_ns("pxvpc");
    NsGuard guard({dp, vpc});
    const std::string dir = "/sys/fs/bpf/" + unique_ns("links"), pin = dir + "/xp-vsw-1";
    struct RemoveDir {
        std::string dir;
        ~RemoveDir() { std::filesystem::remove_all(dir); }
    } remove_dir{dir};
    auto spec = vswitch_spec(dp, vpc);
    links::create_vswitch_veth(spec);

    const bpf_insn pass[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    const netns::Fd a(bpf_prog_load(BPF_PROG_TYPE_XDP, "xpt_a", "GPL", pass, 2, nullptr));
    const netns::Fd b(bpf_prog_load(BPF_PROG_TYPE_XDP, "xpt_b", "GPL", pass, 2, nullptr));
    REQUIRE(a);
    REQUIRE(b);
    auto id = [](int fd) {
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
        return info.id;
    };
    auto link_id = [&] {
        const netns::Fd fd(bpf_obj_get(pin.c_str()));
        bpf_link_info info{};
        uint32_t len = sizeof info;
        REQUIRE(bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0);
        return info.id;
    };
    const uint32_t idx = links::ifindex(dp, "xp-vsw-1");

    CHECK_FALSE(pinned_xdp::state(pin).has_value());
    pinned_xdp::attach(pin, dp, "xp-vsw-1", a.get(), false);
    REQUIRE(pinned_xdp::state(pin).has_value());
    CHECK(pinned_xdp::state(pin)->ifindex == idx);
    CHECK(pinned_xdp::state(pin)->prog_id == id(a.get()));
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(a.get()));
    CHECK(xdp_mode(dp, "xp-vsw-1") == XDP_ATTACHED_DRV);
    const uint32_t first_link = link_id();
    pinned_xdp::attach(pin, dp, "xp-vsw-1", a.get(), false);  // nothing to do
    CHECK(link_id() == first_link);
    CHECK(pinned_xdp::list(dir) == std::vector<std::string>{"xp-vsw-1"});

    // netlink may not displace the link, in its mode or the other
    CHECK_THROWS_WITH(links::attach_xdp(dp, "xp-vsw-1", b.get(), false), Contains("bpf_xdp_attach"));
    CHECK_THROWS_WITH(links::detach_xdp(dp, "xp-vsw-1"), Contains("bpf_xdp_detach"));
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(a.get()));

    CHECK_FALSE(pinned_xdp::update(pin, b.get(), b.get()));  // a runs, not b: nothing changes
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(a.get()));
    CHECK(pinned_xdp::update(pin, b.get(), a.get()));
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(b.get()));
    CHECK(link_id() == first_link);
    pinned_xdp::attach(pin, dp, "xp-vsw-1", a.get(), false);  // another program: updated in place
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(a.get()));
    CHECK(link_id() == first_link);

    pinned_xdp::attach(pin, dp, "xp-vsw-1", a.get(), true);  // another mode: a new link
    CHECK(xdp_mode(dp, "xp-vsw-1") == XDP_ATTACHED_SKB);
    CHECK(link_id() != first_link);

    // the interface goes: the pin stays, defunct, and is replaced by the next attach
    links::delete_vswitch_veth(spec);
    REQUIRE(pinned_xdp::state(pin).has_value());
    CHECK(pinned_xdp::state(pin)->ifindex == 0);
    CHECK_FALSE(pinned_xdp::update(pin, b.get(), a.get()));
    links::create_vswitch_veth(spec);
    links::attach_xdp(dp, "xp-vsw-1", b.get(), false);  // a netlink program is detached for the link
    pinned_xdp::attach(pin, dp, "xp-vsw-1", a.get(), false);
    CHECK(pinned_xdp::state(pin)->ifindex == links::ifindex(dp, "xp-vsw-1"));
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(a.get()));

    pinned_xdp::unpin(pin);  // the last holder: the program detaches, once the kernel releases the link
    bool detached = false;
    for (int i = 0; i < 200 && !detached; ++i) {
        detached = links::xdp_program_id(dp, "xp-vsw-1") == 0;
        if (!detached) usleep(10'000);
    }
    CHECK(detached);
    CHECK_NOTHROW(pinned_xdp::unpin(pin));
    CHECK(pinned_xdp::list(dir).empty());
    CHECK_THROWS_WITH(pinned_xdp::attach(pin, dp, "no-such-if", a.get(), false), Contains("no-such-if"));
    links::delete_vswitch_veth(spec);
}

TEST_CASE("pinned tcx links: attach is idempotent, update is one step, XDP gives way to them", "[netns]") {
    const std::string dp = unique_ns("ptcx"), vpc = unique_ns("ptvpc");
    NsGuard guard({dp, vpc});
    const std::string dir = "/sys/fs/bpf/" + unique_ns("tlinks"), pin = dir + "/xp-vsw-1";
    struct RemoveDir {
        std::string dir;
        ~RemoveDir() { std::filesystem::remove_all(dir); }
    } remove_dir{dir};
    links::create_vswitch_veth(vswitch_spec(dp, vpc));
    const bpf_insn ok[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0 /* TC_ACT_OK; XDP_ABORTED for the XDP one */},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    const netns::Fd a(bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "xpt_tc_a", "GPL", ok, 2, nullptr));
    const netns::Fd b(bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "xpt_tc_b", "GPL", ok, 2, nullptr));
    const netns::Fd x(bpf_prog_load(BPF_PROG_TYPE_XDP, "xpt_xdp", "GPL", ok, 2, nullptr));
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(x);
    auto id = [](int fd) {
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
        return info.id;
    };
    using Ids = std::vector<uint32_t>;
    const uint32_t idx = links::ifindex(dp, "xp-vsw-1");

    pinned_xdp::attach(pin, dp, "xp-vsw-1", x.get(), false);  // the XDP router ran here before
    CHECK_FALSE(pinned_tcx::state(pin).has_value());
    pinned_tcx::attach(pin, dp, "xp-vsw-1", a.get());
    REQUIRE(pinned_tcx::state(pin).has_value());
    CHECK(pinned_tcx::state(pin)->ifindex == idx);
    CHECK(pinned_tcx::programs(dp, "xp-vsw-1") == Ids{id(a.get())});
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == 0);  // detached at once, not when the kernel releases the link
    pinned_tcx::attach(pin, dp, "xp-vsw-1", a.get());   // nothing to do
    CHECK(pinned_tcx::programs(dp, "xp-vsw-1") == Ids{id(a.get())});

    CHECK_FALSE(pinned_tcx::update(pin, b.get(), b.get()));  // a runs, not b
    CHECK(pinned_tcx::update(pin, b.get(), a.get()));
    CHECK(pinned_tcx::programs(dp, "xp-vsw-1") == Ids{id(b.get())});
    pinned_tcx::attach(pin, dp, "xp-vsw-1", a.get());  // another program: updated in place
    CHECK(pinned_tcx::programs(dp, "xp-vsw-1") == Ids{id(a.get())});

    pinned_xdp::attach(pin, dp, "xp-vsw-1", x.get(), false);  // and back to XDP: the tcx link is detached
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == id(x.get()));
    CHECK(pinned_tcx::programs(dp, "xp-vsw-1").empty());
    pinned_xdp::detach(pin);
    CHECK(links::xdp_program_id(dp, "xp-vsw-1") == 0);
    CHECK(pinned_xdp::list(dir).empty());
    CHECK_THROWS_WITH(pinned_tcx::attach(pin, dp, "no-such-if", a.get()), Contains("no-such-if"));
    CHECK(pinned_tcx::programs(dp, "no-such-if").empty());
}

TEST_CASE("links: an over-long interface name is an error naming the interface", "[netns]") {
    auto spec = vswitch_spec(unique_ns("dp"), unique_ns("vpc"));
    spec.vpc_ifname = "vsw-name-too-long-1";
    CHECK_THROWS_AS(links::create_vswitch_veth(spec), Error);
    CHECK_THROWS_WITH(links::create_vswitch_veth(spec), Contains("vsw-name-too-long-1"));
    spec.vpc_ifname = "vsw-1";
    spec.datapath_ifname = "xp-datapath-side-1";
    CHECK_THROWS_WITH(links::create_vswitch_veth(spec), Contains("xp-datapath-side-1"));
    CHECK_FALSE(netns::exists(spec.vpc_netns));  // nothing was made
}

TEST_CASE("links: a killed command's leftover links and rules are listed and deleted one by one", "[netns]") {
    const std::string dp = unique_ns("odp"), vpc = unique_ns("ovpc"), other = unique_ns("oother");
    NsGuard guard({dp, vpc, other});
    auto a = vswitch_spec(dp, vpc);
    a.datapath_ifname = "xpaaaaaaaaaaaaa";  // "xp"/"vs" + 13, like the real names
    a.vpc_ifname = "vsaaaaaaaaaaaaa";
    auto b = a;
    b.datapath_ifname = "xpbbbbbbbbbbbbb";
    b.vpc_ifname = "vsbbbbbbbbbbbbb";
    b.table = 102;
    b.metric = 11;
    b.cidr = Cidr::parse("10.2.0.0/24");
    b.ipv6_cidr = Cidr::parse("fd00:2::/64");
    b.gateway = IpAddr::parse("10.2.0.1");
    b.gateway6 = IpAddr::parse("fd00:2::1");
    auto decoy = vswitch_spec(dp, other);  // in the datapath namespace too, but not under the prefix
    decoy.datapath_ifname = "xqccccccccccccc";
    decoy.vpc_ifname = "vsccccccccccccc";
    links::create_vswitch_veth(a);
    links::create_vswitch_veth(b);
    links::create_vswitch_veth(decoy);

    using Names = std::vector<std::string>;
    CHECK(links::list_links(dp, "xp") == Names{"xpaaaaaaaaaaaaa", "xpbbbbbbbbbbbbb"});
    CHECK(links::list_links(vpc, "vs") == Names{"vsaaaaaaaaaaaaa", "vsbbbbbbbbbbbbb"});
    CHECK(links::list_links(vpc, "xp").empty());
    CHECK(links::list_links(dp, "") == Names{"lo", "xpaaaaaaaaaaaaa", "xpbbbbbbbbbbbbb", "xqccccccccccccc"});
    CHECK(links::list_links(unique_ns("missing"), "xp").empty());

    // The range holds the kernel's own `lookup main` (32766) and `lookup default` (32767) too.
    const uint32_t lo = 1000, hi = 1000 + (1u << 20);
    const Names stock{"from 0.0.0.0/0 lookup 254 prio 32766", "from ::/0 lookup 254 prio 32766", "from 0.0.0.0/0 lookup 253 prio 32767"};
    const auto with_stock = [&](Names ours) {
        ours.insert(ours.end(), stock.begin(), stock.end());
        return ours;
    };
    CHECK(strs(links::list_rules(vpc, lo, hi)) ==
          with_stock({"from 10.1.0.0/24 lookup 101 prio 1101", "from fd00:1::/64 lookup 101 prio 1101",
                      "from 10.2.0.0/24 lookup 102 prio 1102", "from fd00:2::/64 lookup 102 prio 1102"}));
    const auto rules_a = links::list_rules(vpc, 1101, 1101);
    REQUIRE(rules_a.size() == 2);
    CHECK(rules_a[0] == links::PolicyRule{Cidr::parse("10.1.0.0/24"), 101, 1101});
    CHECK(rules_a[1] == links::PolicyRule{Cidr::parse("fd00:1::/64"), 101, 1101});
    CHECK(strs(links::list_rules(vpc, 1103, hi)) == stock);
    CHECK(links::list_rules(vpc, 1103, 32765).empty());
    CHECK(links::list_rules(vpc, hi, lo).empty());
    const auto all = strs(links::list_rules(vpc, 0, UINT32_MAX));  // `from all` comes back as /0
    CHECK(contains(all, "from 0.0.0.0/0 lookup 255 prio 0"));
    CHECK(contains(all, "from ::/0 lookup 254 prio 32766"));

    // Exactly the one rule, and again.
    links::delete_rule(vpc, {Cidr::parse("10.1.0.0/24"), 101, 1101});
    const Names three{"from fd00:1::/64 lookup 101 prio 1101", "from 10.2.0.0/24 lookup 102 prio 1102",
                      "from fd00:2::/64 lookup 102 prio 1102"};
    CHECK(strs(links::list_rules(vpc, lo, hi)) == with_stock(three));
    CHECK_NOTHROW(links::delete_rule(vpc, {Cidr::parse("10.1.0.0/24"), 101, 1101}));
    CHECK_NOTHROW(links::delete_rule(vpc, {Cidr::parse("10.2.0.0/24"), 101, 1102}));  // wrong table: not there
    CHECK_NOTHROW(links::delete_rule(vpc, {Cidr::parse("10.2.0.0/25"), 102, 1102}));  // wrong prefix
    CHECK_NOTHROW(links::delete_rule(vpc, {Cidr::parse("10.2.0.0/24"), 102, 1103}));  // wrong priority
    CHECK_NOTHROW(links::delete_rule(vpc, {Cidr::parse("0.0.0.0/0"), 102, 1102}));    // the kernel's "any source"
    CHECK_NOTHROW(links::delete_rule(unique_ns("missing"), {Cidr::parse("10.2.0.0/24"), 102, 1102}));
    CHECK(strs(links::list_rules(vpc, lo, hi)) == with_stock(three));
    CHECK(error_code([&] { links::delete_rule(vpc, {Cidr::parse("10.2.0.0/24"), 0, 1102}); }) == errors::code::InvalidParameterRouteTable);

    // A `from all` rule behind 10.2.0.0/24 at the same priority: deleting it would take 10.2.0.0/24.
    add_rule_from_all(vpc, AF_INET, 102, 1102);
    CHECK(error_code([&] { links::delete_rule(vpc, {Cidr::parse("0.0.0.0/0"), 102, 1102}); }) == errors::code::IncorrectRuleStateAmbiguous);
    CHECK(strs(links::list_rules(vpc, 1102, 1102)) ==
          Names{"from 10.2.0.0/24 lookup 102 prio 1102", "from 0.0.0.0/0 lookup 102 prio 1102", "from fd00:2::/64 lookup 102 prio 1102"});
    links::delete_rule(vpc, {Cidr::parse("10.2.0.0/24"), 102, 1102});
    links::delete_rule(vpc, {Cidr::parse("0.0.0.0/0"), 102, 1102});
    CHECK(strs(links::list_rules(vpc, 1102, 1102)) == Names{"from fd00:2::/64 lookup 102 prio 1102"});

    // One veth, from the datapath side: its peer goes too, the other vSwitch and the rules stay.
    links::delete_link(dp, "xpaaaaaaaaaaaaa");
    CHECK(links::list_links(dp, "xp") == Names{"xpbbbbbbbbbbbbb"});
    CHECK(links::list_links(vpc, "vs") == Names{"vsbbbbbbbbbbbbb"});
    CHECK(links::find_vswitch_veth(b).has_value());
    CHECK_NOTHROW(links::delete_link(dp, "xpaaaaaaaaaaaaa"));
    CHECK_NOTHROW(links::delete_link(vpc, "vsaaaaaaaaaaaaa"));
    CHECK_NOTHROW(links::delete_link(unique_ns("missing"), "xpaaaaaaaaaaaaa"));
    CHECK(strs(links::list_rules(vpc, lo, hi)) ==
          with_stock({"from fd00:1::/64 lookup 101 prio 1101", "from fd00:2::/64 lookup 102 prio 1102"}));
    CHECK_THROWS_AS(links::delete_link(dp, "xp-name-too-long-1"), Error);

    // From the VPC side.
    links::delete_link(vpc, "vsbbbbbbbbbbbbb");
    CHECK(links::list_links(dp, "xp").empty());
    CHECK(links::list_links(vpc, "vs").empty());
    CHECK(links::list_links(dp, "") == Names{"lo", "xqccccccccccccc"});

    // What is left goes through the ordinary path without complaint.
    links::delete_vswitch_veth(a);
    links::delete_vswitch_veth(b);
    CHECK(strs(links::list_rules(vpc, lo, hi)) == stock);
}
