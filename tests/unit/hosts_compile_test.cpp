// Among hosts, a host compiles the whole desired state: its own vSwitches to their links, the
// others' to the tunnels of their hosts (the VNI is the VPC), and which objects it makes itself.
#include <catch2/catch.hpp>

#include "compiler/compile_scope.h"
#include "compiler/compiler.h"
#include "compiler/lpm_key.h"
#include "model/placement.h"

using namespace xpeer;

namespace {

VSwitch vswitch(const std::string& id, const std::string& vpc, const std::string& cidr, std::optional<std::string> host,
                const std::string& v6 = "") {
    VSwitch v;
    v.id = id;
    v.vpc_id = vpc;
    v.cidr = Cidr::parse(cidr);
    if (!v6.empty()) v.ipv6_cidr = Cidr::parse(v6);
    v.host = std::move(host);
    return v;
}

// VPC 1 with a vSwitch on h1 and one on h2, VPC 2 with one on h2, VPC 3 on h3 (an IPv6 underlay);
// this is h1, its underlay on ifindex 40.
Snapshot three_hosts() {
    Snapshot s;
    for (uint32_t key : {1u, 2u, 3u}) {
        Vpc v;
        v.key = key;
        v.id = "vpc-" + std::to_string(key);
        v.cidr = Cidr::parse("10." + std::to_string(key) + ".0.0/16");
        s.vpcs.push_back(v);
    }
    s.vswitches = {vswitch("vsw-11", "vpc-1", "10.1.1.0/24", "h1"), vswitch("vsw-12", "vpc-1", "10.1.2.0/24", "h2", "fd00:1:0:2::/64"),
                   vswitch("vsw-21", "vpc-2", "10.2.1.0/24", "h2"), vswitch("vsw-31", "vpc-3", "10.3.1.0/24", "h3")};
    s.hosts = {Host{"h1", "cn-hangzhou", IpAddr::parse("10.250.0.1"), 0}, Host{"h2", "cn-hangzhou", IpAddr::parse("10.250.0.2"), 0},
               Host{"h3", "cn-hangzhou", IpAddr::parse("fd00:250::3"), 0}};
    s.local = LocalHost{"h1", 40};
    return s;
}

PortMap h1_ports() { return {{"vsw-11", PortInfo{11, Mac{2, 0, 0, 0, 0, 1}, Mac{2, 0, 0, 0, 1, 1}}}}; }

}  // namespace

TEST_CASE("another host's vSwitches are routed to its tunnel, its VPC named by the route's table", "[compiler][hosts]") {
    const Tables t = compile(three_hosts(), h1_ports());
    REQUIRE(t.tunnels.size() == 1);  // h2; h3's underlay is IPv6, h1's IPv4: no tunnel between them
    const xp_tunnel& tun = t.tunnels.at(1);
    CHECK(tun.ifindex == 40);
    CHECK(tun.is_v6 == 0);
    CHECK(std::equal(tun.remote, tun.remote + 4, IpAddr::parse("10.250.0.2").bytes.begin()));
    CHECK(std::equal(tun.local, tun.local + 4, IpAddr::parse("10.250.0.1").bytes.begin()));
    REQUIRE(t.underlay_hosts.size() == 1);
    CHECK(t.underlay_hosts.begin()->second == 1);
    CHECK(t.underlay_hosts.begin()->first.addr[10] == 0xff);  // IPv4 as ::ffff:10.250.0.2
    CHECK(t.underlay_hosts.begin()->first.addr[15] == 2);

    const xp_route& local = t.routes_v4.at(lpm_key_v4(1, Cidr::parse("10.1.1.0/24")));
    CHECK(local.kind == XP_NH_VSWITCH);
    CHECK(local.target == 11);
    for (auto [vpc, cidr] : {std::pair{1u, "10.1.2.0/24"}, {2u, "10.2.1.0/24"}}) {
        INFO(cidr);
        const xp_route& r = t.routes_v4.at(lpm_key_v4(vpc, Cidr::parse(cidr)));
        CHECK(r.kind == XP_NH_REMOTE);
        CHECK(r.target == 1);
    }
    CHECK(t.routes_v6.at(lpm_key_v6(1, Cidr::parse("fd00:1:0:2::/64"))).kind == XP_NH_REMOTE);
    // A remote subnet's reserved addresses stay unreachable here too.
    CHECK(t.routes_v4.at(lpm_key_v4(2, Cidr::parse("10.2.1.255/32"))).kind == XP_NH_RESERVED);
    CHECK_FALSE(t.routes_v4.count(lpm_key_v4(3, Cidr::parse("10.3.1.0/24"))));  // h3: unreachable, no route
    CHECK(t.ports.size() == 1);                                                 // only h1's own link
}

TEST_CASE("a port row of another host's vSwitch (left by a build that made every link) is not used", "[compiler][hosts]") {
    PortMap ports = h1_ports();
    ports["vsw-21"] = PortInfo{21, Mac{2, 0, 0, 0, 0, 2}, Mac{2, 0, 0, 0, 1, 2}};
    const Tables t = compile(three_hosts(), ports);
    CHECK(t.routes_v4.at(lpm_key_v4(2, Cidr::parse("10.2.1.0/24"))).kind == XP_NH_REMOTE);
    CHECK_FALSE(t.ports.count(21));
}

TEST_CASE("a host that registers takes the next tunnel slot, and the others keep theirs", "[compiler][hosts]") {
    Snapshot s = three_hosts();
    s.hosts[0].created_at = 100;  // h1, this host
    s.hosts[1].created_at = 200;  // h2
    s.hosts[2].created_at = 250;  // h3 (IPv6: a slot, no tunnel)
    s.hosts.push_back(Host{"h0", "cn-hangzhou", IpAddr::parse("10.250.0.9"), 300});
    s.vswitches.push_back(vswitch("vsw-01", "vpc-2", "10.2.9.0/24", "h0"));
    std::ranges::sort(s.hosts, {}, &Host::name);  // as the store lists them
    const Tables t = compile(s, h1_ports());
    REQUIRE(t.tunnels.size() == 2);
    CHECK(std::equal(t.tunnels.at(1).remote, t.tunnels.at(1).remote + 4, IpAddr::parse("10.250.0.2").bytes.begin()));  // h2, as before
    CHECK(std::equal(t.tunnels.at(3).remote, t.tunnels.at(3).remote + 4, IpAddr::parse("10.250.0.9").bytes.begin()));  // h0, after h3
    const auto to_h0 = t.routes_v4.at(lpm_key_v4(2, Cidr::parse("10.2.9.0/24")));
    CHECK(to_h0.kind == XP_NH_REMOTE);
    CHECK(to_h0.target == 3);
    CHECK(t.routes_v4.at(lpm_key_v4(2, Cidr::parse("10.2.1.0/24"))).target == 1);  // h2's vSwitch: its slot unchanged
}

TEST_CASE("no tunnels until the host's agent bound the replica and attached its underlay", "[compiler][hosts]") {
    Snapshot s = three_hosts();
    s.local.underlay_ifindex = 0;
    Tables t = compile(s, h1_ports());
    CHECK(t.tunnels.empty());
    CHECK_FALSE(t.routes_v4.count(lpm_key_v4(2, Cidr::parse("10.2.1.0/24"))));
    CHECK(t.routes_v4.count(lpm_key_v4(1, Cidr::parse("10.1.1.0/24"))));

    s.local = LocalHost{};  // a machine with no agent: every vSwitch is another host's
    t = compile(s, {});
    CHECK(t.tunnels.empty());
    CHECK(t.routes_v4.empty());
}

TEST_CASE("the underlay's bandwidth: a shallow bucket, Platinum may empty it, Gold and the rest leave it deeper", "[compiler][hosts]") {
    const xp_underlay_qos q = underlay_qos_of(1000);
    CHECK(q.rate_bytes == 125'000'000);
    CHECK(q.burst_bytes == 624'999);  // 5 ms, in three bands of 208,333 bytes
    CHECK(q.reserve_bytes[dscp_of("Platinum")] == 0);
    CHECK(q.reserve_bytes[dscp_of("Gold")] == 208'333);
    for (unsigned d = 0; d < XP_DSCP_MAX; ++d)
        if (d != dscp_of("Platinum") && d != dscp_of("Gold")) CHECK(q.reserve_bytes[d] == 2 * 208'333);
    // A slow underlay: everyone's band still holds a GSO super-packet of 64 KiB with 45 segments'
    // repeated headers (66 bytes) and outer headers (50), and Platinum's band a few dozen frames.
    const xp_underlay_qos slow = underlay_qos_of(90);
    CHECK(slow.burst_bytes == 120 * 1024);
    CHECK(slow.burst_bytes - slow.reserve_bytes[0] >= 65536 + 44 * 66 + 45 * 50);
    CHECK(slow.reserve_bytes[dscp_of("Gold")] == 24 * 1024);

    Snapshot s = three_hosts();
    CHECK(compile(s, h1_ports()).underlay_qos.empty());  // no --underlay-bandwidth: not policed
    s.local.underlay_bandwidth_mbps = 1000;
    Tables t = compile(s, h1_ports());
    REQUIRE(t.underlay_qos.size() == 1);
    CHECK(bytes_equal(t.underlay_qos.at(0), q));
    CHECK(compile_scope(s, h1_ports(), Scope::of_vswitch(s.vswitches[2])).underlay_qos.empty());  // written whole, as the tunnels
    s.local.underlay_ifindex = 0;                                                                 // no underlay attached
    CHECK(compile(s, h1_ports()).underlay_qos.empty());
}

TEST_CASE("a VPC key beyond 24 bits cannot be a VNI: it stays on its hosts", "[compiler][hosts]") {
    Snapshot s = three_hosts();
    s.vpcs[1].key = XP_MAX_VNI + 1;
    const Tables t = compile(s, h1_ports());
    CHECK_FALSE(t.routes_v4.count(lpm_key_v4(XP_MAX_VNI + 1, Cidr::parse("10.2.1.0/24"))));
    CHECK(t.routes_v4.count(lpm_key_v4(1, Cidr::parse("10.1.2.0/24"))));
}

TEST_CASE("tunnels are written whole, never by a scoped change", "[compiler][hosts]") {
    Scope scope = Scope::of_vswitch(three_hosts().vswitches[2]);
    const Tables t = compile_scope(three_hosts(), h1_ports(), scope);
    CHECK(t.tunnels.empty());
    CHECK(t.underlay_hosts.empty());
    CHECK(t.routes_v4.at(lpm_key_v4(2, Cidr::parse("10.2.1.0/24"))).kind == XP_NH_REMOTE);
}

TEST_CASE("a host makes the namespaces and links of its own vSwitches only", "[hosts]") {
    Snapshot s = three_hosts();
    auto ids = [](const auto& v) {
        std::vector<std::string> out;
        for (const auto& x : v) out.push_back(x.id);
        return out;
    };
    CHECK(ids(vswitches_here(s)) == std::vector<std::string>{"vsw-11"});
    CHECK(ids(vpcs_here(s)) == std::vector<std::string>{"vpc-1"});
    s.local.name = "h2";
    CHECK(ids(vswitches_here(s)) == std::vector<std::string>{"vsw-12", "vsw-21"});
    CHECK(ids(vpcs_here(s)) == std::vector<std::string>{"vpc-1", "vpc-2"});
    s.local.name.clear();  // a machine without an agent
    CHECK(vswitches_here(s).empty());
    CHECK(vpcs_here(s).empty());

    Snapshot one;  // one machine: no hosts, every VPC has its namespace, vSwitches or not
    one.vpcs = s.vpcs;
    one.vswitches = {vswitch("vsw-1", "vpc-1", "10.1.1.0/24", std::nullopt)};
    CHECK(ids(vpcs_here(one)).size() == 3);
    CHECK(ids(vswitches_here(one)) == std::vector<std::string>{"vsw-1"});
}
