// The compiled lookups in the real maps and the real router: the same decisions as the tries,
// through full rewrites, incremental changes and a table too large to compile.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <set>

#include "compiler/delta.h"
#include "compiler/fib.h"
#include "compiler/fib_leaf.h"
#include "compiler/lpm_key.h"
#include "compiler/resolve.h"
#include "datapath/fib_writer.h"
#include "datapath/map_drift.h"
#include "random_tables.h"
#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;
using xpeer::testing::RandomTables;

namespace {

void set_compiled(BpfRouter& dp, bool on) {
    xp_control c = dp.read_control();
    c.compiled_off = on ? 0 : 1;
    dp.write_control(c);
}

// The walk bpf/fib.h makes, over what the maps hold; nullopt when the VPC has no root.
std::optional<xp_fib_result> walk(const BpfRouter& dp, uint32_t vpc, const IpAddr& dst) {
    const uint32_t root = dp.fib_roots[vpc * 2 + (dst.family == Family::V6 ? 1 : 0)];
    if (!root) return std::nullopt;
    const auto& nodes = dst.family == Family::V6 ? dp.fib_nodes_v6 : dp.fib_nodes_v4;
    uint32_t entry = XP_FIB_NODE | root;
    for (size_t i = 0; i < dst.size(); ++i) {
        entry = nodes[entry & ~XP_FIB_NODE].entry[dst.bytes[i]];
        if (!(entry & XP_FIB_NODE)) return dp.fib_results[entry];
    }
    FAIL("a node below the last byte of " << dst.str());
    return std::nullopt;
}

std::string describe(const xp_fib_result& r) {
    return "reason " + std::to_string(r.reason) + " link " + std::to_string(r.link) + " target " + std::to_string(r.route.target);
}

// The first destination whose walk in the maps differs from the tries' decision, or "".
std::string first_difference(RandomTables& r, const BpfRouter& dp, unsigned destinations) {
    for (unsigned i = 0; i < destinations; ++i) {
        const uint32_t vpc = r.vpc();
        const IpAddr dst = r.destination(r.pick(2) ? Family::V4 : Family::V6);
        const xp_fib_result want = resolve_in_tables(r.t, vpc, dst);
        const auto walked = walk(dp, vpc, dst);
        if (!walked) {
            if (want.reason == XP_REASON_DROP_NO_ROUTE && want.link == XP_NO_LINK) continue;  // no routes of the family
            return "vpc " + std::to_string(vpc) + " has no compiled lookup, the tries say " + describe(want);
        }
        const xp_fib_result got = with_peering_state(r.t, decision_of(*walked));
        if (std::memcmp(&want, &got, sizeof(want)) != 0)
            return "vpc " + std::to_string(vpc) + " " + dst.str() + ": tries " + describe(want) + ", maps " + describe(got);
    }
    return "";
}

// Nodes some root reaches, over both families.
size_t nodes_in_use(const BpfRouter& dp) {
    size_t n = 0;
    for (uint32_t vpc = 1; vpc <= RandomTables::kVpcs; ++vpc)
        for (auto family : {Family::V4, Family::V6}) n += fib_use(dp, vpc, family).nodes;
    return n;
}

}  // namespace

TEST_CASE("compiled lookup: every fixture frame decided as the tries decide it, and counted as compiled", "[router][fib]") {
    RouterFixture fx;
    struct Case {
        const char* src;
        const char* dst;
    };
    const Case cases[] = {{"10.1.1.2", "10.2.1.2"},          {"10.1.1.2", "10.1.2.7"},   {"10.1.1.2", "10.3.1.2"},
                          {"10.1.1.2", "10.5.0.1"},          {"10.1.1.2", "10.2.200.1"}, {"10.1.1.2", "192.0.2.1"},
                          {"10.1.1.2", "10.2.1.0"},          {"10.1.1.2", "10.2.1.1"},   {"fd00:a:0:1::2", "fd00:b:0:1::2"},
                          {"fd00:a:0:1::2", "fd00:b:0:2::9"}};
    for (const auto& c : cases) {
        INFO(c.src << " -> " << c.dst);
        const Frame in = udp_frame(c.src, c.dst);
        set_compiled(fx.dp, true);
        const uint64_t compiled_before = fx.lookups(XP_LOOKUP_COMPILED), tries_before = fx.lookups(XP_LOOKUP_TRIES);
        const RunResult compiled = fx.run(in, fx.if_a1);
        CHECK(fx.lookups(XP_LOOKUP_COMPILED) == compiled_before + 1);
        CHECK(fx.lookups(XP_LOOKUP_TRIES) == tries_before);
        set_compiled(fx.dp, false);
        const RunResult tries = fx.run(in, fx.if_a1);
        CHECK(fx.lookups(XP_LOOKUP_COMPILED) == compiled_before + 1);
        CHECK(fx.lookups(XP_LOOKUP_TRIES) == tries_before + 1);
        CHECK(compiled.ret == tries.ret);
        CHECK(compiled.out.bytes == tries.out.bytes);
    }
    set_compiled(fx.dp, true);
    CHECK(fx.run(udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2"), fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.reason(XP_REASON_DROP_SPOOFED).packets == 0);
}

TEST_CASE("compiled lookup and tries: a route deleted or a peering deactivated takes effect on the next packet", "[router][fib]") {
    RouterFixture fx;
    const bool compiled = GENERATE(true, false);
    INFO((compiled ? "compiled lookup" : "tries"));
    set_compiled(fx.dp, compiled);
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);

    SECTION("route entry deleted") {
        std::erase_if(fx.snapshot.routes, [](const RouteEntry& r) { return r.vpc_id == "vpc-a" && r.destination.str() == "10.2.0.0/16"; });
        reconcile(compile(fx.snapshot, fx.ports), fx.dp);
        CHECK(fx.run(frame, fx.if_a1).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_NO_ROUTE).packets == 1);
    }
    SECTION("peering no longer Activated") {
        for (auto& p : fx.snapshot.peerings)
            if (p.id == "pcc-ab") p.status = PeeringStatus::Expired;
        reconcile(compile(fx.snapshot, fx.ports), fx.dp);
        CHECK(fx.run(frame, fx.if_a1).ret == XDP_DROP);
        CHECK(fx.link(5, XP_DIR_A_TO_B).drop_inactive == 1);
    }
    CHECK(fx.lookups(compiled ? XP_LOOKUP_COMPILED : XP_LOOKUP_TRIES) == 2);
}

// The compiled decision names the link it crosses; the connection's own entry is read on every
// packet, so that a peering written behind the compiled lookup's back still decides.
TEST_CASE("compiled lookup: a decision through a peering checks the connection itself", "[router][fib]") {
    RouterFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));

    SECTION("no longer active, the compiled lookup not rebuilt") {
        p.active = 0;
        fx.dp.peerings.put(5, p);
        CHECK(fx.run(frame, fx.if_a1).ret == XDP_DROP);
        CHECK(fx.link(5, XP_DIR_A_TO_B).drop_inactive == 1);
    }
    SECTION("the slot now joins two other VPCs") {
        p.vpc_a = 2;
        p.vpc_b = 3;
        fx.dp.peerings.put(5, p);
        CHECK(fx.run(frame, fx.if_a1).ret == XDP_DROP);
        CHECK(fx.reason(XP_REASON_DROP_NO_ROUTE).packets == 1);
    }
    CHECK(fx.lookups(XP_LOOKUP_COMPILED) == 2);
}

TEST_CASE("compiled lookup: random tables written whole, then changed entry by entry, walk to the tries' decisions", "[router][fib]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        const bool patched = seed % 2 == 0;  // else every change compiles its VPCs afresh
        INFO("seed " << seed << (patched ? ", patched in place" : ", compiled afresh"));
        RandomTables r(seed);
        if (patched) std::erase_if(r.t.peerings, [](const auto& slot) { return slot.second.vpc_a == slot.second.vpc_b; });
        r.fill(40);
        reconcile(r.t, dp);
        REQUIRE(first_difference(r, dp, 2000) == "");
        for (int change = 0; change < 40; ++change) {
            INFO("change " << change);
            const Tables before = r.t;
            const Family family = r.pick(2) ? Family::V4 : Family::V6;
            for (unsigned n = change % 5 == 4 ? 4 : 1; n > 0; --n) {
                if (r.pick(3) == 0)
                    r.remove_route(family);
                else
                    r.add_route(r.vpc(), r.network(family), r.route());
            }
            write(diff(before, r.t), dp, patched ? &r.t : nullptr);
            REQUIRE(first_difference(r, dp, 300) == "");
        }
        const Fib fib = compile_fib(r.t);
        size_t compiled = 0;
        for (const auto* tries : {&fib.v4, &fib.v6})
            for (const auto& [vpc, trie] : *tries) compiled += trie.nodes.size();
        CHECK(nodes_in_use(dp) <= compiled);  // every swap let go of the nodes it replaced
        CHECK(fib_vpcs_differing(dp, fib).empty());
        CHECK(map_differences(r.t, dp).empty());
    }
}

TEST_CASE("compiled lookup: one route change patched in place writes the nodes above it, and the other nodes stay", "[router][fib]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables t;
    const xp_route to_vswitch{XP_NH_VSWITCH, 7, {}, {}}, elsewhere{XP_NH_VSWITCH, 8, {}, {}};
    for (uint32_t i = 0; i < 1000; ++i) {  // a /32 in a /24 of its own: a node each
        IpAddr a{Family::V4, {}};
        a.bytes = {10, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 1};
        t.routes_v4[lpm_key_v4(1, host_route(a))] = to_vswitch;
    }
    reconcile(t, dp);
    const uint32_t root = dp.fib_roots[1 * 2];
    REQUIRE(root != 0);
    auto slots = [&] {
        std::set<uint32_t> out;
        std::vector<uint32_t> todo{dp.fib_roots[1 * 2]};
        while (!todo.empty()) {
            const uint32_t slot = todo.back();
            todo.pop_back();
            out.insert(slot);
            for (uint32_t e : dp.fib_nodes_v4[slot].entry)
                if (e & XP_FIB_NODE) todo.push_back(e & ~XP_FIB_NODE);
        }
        return out;
    };
    const std::set<uint32_t> before = slots();
    REQUIRE(before.size() == 1 + 1 + 4 + 1000);  // the root, 10., 10.0. to 10.3., and a node per /24

    const Tables was = t;
    t.routes_v4[lpm_key_v4(1, Cidr::parse("10.1.17.128/25"))] = elsewhere;  // 10.1.17.x has a node: the /32 in it
    write(diff(was, t), dp, &t);
    const std::set<uint32_t> after = slots();
    std::vector<uint32_t> written;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(written));
    CHECK(written.size() == 4);  // 10.1.17., and the three above it: the root, 10., 10.1.
    CHECK(after.size() == before.size());
    CHECK(dp.fib_roots[1 * 2] != root);  // swapped in one store
    CHECK(walk(dp, 1, IpAddr::parse("10.1.17.200"))->route.target == 8);
    CHECK(walk(dp, 1, IpAddr::parse("10.1.17.1"))->route.target == 7);
    CHECK(map_differences(t, dp).empty());

    SECTION("its last route of the family removed, patched: no root, as compiling afresh leaves none") {
        const Tables all = t;
        t.routes_v4.clear();
        write(diff(all, t), dp, &t);
        CHECK(dp.fib_roots[1 * 2] == 0);
        CHECK(map_differences(t, dp).empty());
    }
    SECTION("compiled afresh instead, every node is written anew") {
        const Tables again = t;
        t.routes_v4.erase(lpm_key_v4(1, Cidr::parse("10.1.17.128/25")));
        write(diff(again, t), dp);
        std::vector<uint32_t> kept;
        const std::set<uint32_t> now = slots();
        std::set_intersection(now.begin(), now.end(), after.begin(), after.end(), std::back_inserter(kept));
        CHECK(kept.empty());
    }
}

TEST_CASE("compiled lookup: a VPC too large for the nodes left is decided by the tries", "[router][fib]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables t;
    const xp_route to_vswitch{XP_NH_VSWITCH, 7, {}, {}};
    for (uint32_t i = 0; i < XP_FIB_NODES + 10; ++i) {  // a /32 in a /24 of its own: a node each
        IpAddr a{Family::V4, {}};
        a.bytes = {10, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 1};
        t.routes_v4[lpm_key_v4(1, host_route(a))] = to_vswitch;
    }
    t.routes_v4[lpm_key_v4(2, Cidr::parse("10.0.0.0/8"))] = to_vswitch;
    reconcile(t, dp);
    CHECK(dp.fib_roots[1 * 2] == 0);
    CHECK(dp.fib_roots[2 * 2] != 0);  // the small one still has its own
    CHECK_FALSE(walk(dp, 1, IpAddr::parse("10.0.5.1")));
}

TEST_CASE("compiled lookup: check names a root that is missing, stale or decides otherwise, and reconcile repairs it",
          "[router][fib][drift]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables t;
    const xp_route to_vswitch{XP_NH_VSWITCH, 7, {}, {}}, elsewhere{XP_NH_VSWITCH, 8, {}, {}};
    t.routes_v4[lpm_key_v4(1, Cidr::parse("10.1.0.0/16"))] = to_vswitch;
    t.routes_v4[lpm_key_v4(1, Cidr::parse("10.1.2.0/24"))] = elsewhere;
    t.routes_v6[lpm_key_v6(1, Cidr::parse("fd00:1::/64"))] = to_vswitch;
    reconcile(t, dp);
    REQUIRE(map_differences(t, dp).empty());
    const uint32_t root = dp.fib_roots[1 * 2];
    REQUIRE(root != 0);

    auto only_difference = [&](const std::string& object, const std::string& problem) {
        const auto d = map_differences(t, dp);
        REQUIRE(d.size() == 1);
        CHECK(d[0].object == object);
        CHECK_THAT(d[0].problem, Catch::Contains(problem));
        reconcile(t, dp);
        CHECK(map_differences(t, dp).empty());
        CHECK(walk(dp, 1, IpAddr::parse("10.1.2.3"))->route.target == 8);
    };

    SECTION("no root where the routes compile to a trie") {
        dp.fib_roots.publish(1 * 2, 0);
        only_difference("xp_fib_roots vpc 1 IPv4", "missing");
    }
    SECTION("a node whose entry leads to another decision") {
        xp_fib_node node = dp.fib_nodes_v4[root];
        const uint32_t child = node.entry[10] & ~XP_FIB_NODE;  // 10.x
        xp_fib_node below = dp.fib_nodes_v4[child];
        REQUIRE((below.entry[1] & XP_FIB_NODE) != 0);  // 10.1.x: a node, for 10.1.2.0/24
        below.entry[1] = 0;                            // "no route" for all of 10.1.0.0/16
        dp.fib_nodes_v4.put(child, below);
        only_difference("xp_fib_roots vpc 1 IPv4", "decides otherwise");
    }
    SECTION("a root for a family the VPC has no routes of") {
        t.routes_v6.clear();
        dp.routes_v6.erase(lpm_key_v6(1, Cidr::parse("fd00:1::/64")));  // the trie, not the compiled lookup
        only_difference("xp_fib_roots vpc 1 IPv6", "without routes");
    }
}

TEST_CASE("compiled lookup: a VPC too large for the free nodes is not drift", "[router][fib][drift]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables t;
    const xp_route to_vswitch{XP_NH_VSWITCH, 7, {}, {}};
    for (uint32_t i = 0; i < XP_FIB_NODES + 10; ++i) {
        IpAddr a{Family::V4, {}};
        a.bytes = {10, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i), 1};
        t.routes_v4[lpm_key_v4(1, host_route(a))] = to_vswitch;
    }
    reconcile(t, dp);
    REQUIRE(dp.fib_roots[1 * 2] == 0);
    CHECK(map_differences(t, dp).empty());
}
