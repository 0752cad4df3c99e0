#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include <cstring>

#include "router_fixture.h"

using namespace xpeer;
using namespace xpeer::test;

namespace {

constexpr uint32_t kVpcA = 1;

// The fixture with the compiled lookups off: the route cache and the memo decide, as they do for
// a VPC whose compiled lookup is being rebuilt or did not fit.
struct CacheFixture : RouterFixture {
    CacheFixture() {
        xp_control c = dp.read_control();
        c.compiled_off = 1;
        dp.write_control(c);
    }
};

xp_cache_key_v4 key_v4(uint32_t vpc, const char* addr) {
    xp_cache_key_v4 k{};
    k.vpc = vpc;
    REQUIRE(inet_pton(AF_INET, addr, k.addr) == 1);
    return k;
}

xp_cache_key_v6 key_v6(uint32_t vpc, const char* addr) {
    xp_cache_key_v6 k{};
    k.vpc = vpc;
    REQUIRE(inet_pton(AF_INET6, addr, k.addr) == 1);
    return k;
}

xp_cached_route cached(RouterFixture& fx, const char* dst) {
    xp_cached_route e{};
    REQUIRE(fx.dp.route_cache_v4.get(key_v4(kVpcA, dst), e));
    return e;
}

using MemoMap = CpuArray<xp_route_memo_set>;

// The per-CPU memo answers before the route cache: emptied, the next packet asks the cache.
void forget_memo(RouterFixture& fx) {
    const std::vector<xp_route_memo_set> empty(cpu_ids());
    for (uint32_t set = 0; set < XP_ROUTE_MEMO_SETS; ++set) {
        fx.dp.route_memo_v4.write_percpu(set, empty);
        fx.dp.route_memo_v6.write_percpu(set, empty);
    }
}

// A cached decision that differs from the tries' in one visible byte: the frame's destination MAC.
void tamper(RouterFixture& fx, const char* dst, uint64_t generation, uint32_t vpc = kVpcA) {
    xp_cached_route e = cached(fx, dst);
    e.generation = generation;
    e.vpc = vpc;
    e.route.dmac[5] = 0xee;
    fx.dp.route_cache_v4.put(key_v4(kVpcA, dst), e);
    forget_memo(fx);
}

struct MemoSlot {
    uint32_t set = 0, way = 0;
    xp_cached_route entry{};
};

// Where the memo holds dst at the current generation on some CPU, and that CPU's entry.
MemoSlot memo_entry(RouterFixture& fx, const char* dst, bool is_v6 = false) {
    uint8_t addr[16] = {};
    REQUIRE(inet_pton(is_v6 ? AF_INET6 : AF_INET, dst, addr) == 1);
    const uint64_t gen = fx.dp.read_control().generation;
    const MemoMap& memo = is_v6 ? fx.dp.route_memo_v6 : fx.dp.route_memo_v4;
    for (uint32_t set = 0; set < XP_ROUTE_MEMO_SETS; ++set)
        for (const auto& s : memo.read_percpu(set))
            for (uint32_t way = 0; way < XP_ROUTE_MEMO_WAYS; ++way)
                if (s.way[way].generation == gen && s.way[way].vpc == kVpcA && std::memcmp(s.way[way].addr, addr, 16) == 0)
                    return {set, way, s.way[way]};
    FAIL("no memo slot holds " << dst);
    return {};
}

// The set on every CPU: e in way 0, and `older` (empty by default) in way 1. The next test run
// finds them wherever it runs.
void put_memo(RouterFixture& fx, uint32_t set, const xp_cached_route& e, const xp_cached_route& older = {}, bool is_v6 = false) {
    xp_route_memo_set s{};
    s.way[0] = e;
    s.way[1] = older;
    (is_v6 ? fx.dp.route_memo_v6 : fx.dp.route_memo_v4).write_percpu(set, std::vector<xp_route_memo_set>(cpu_ids(), s));
}

// The set as the CPU that wrote `written` into `way` holds it (test runs write only their own CPU's).
xp_route_memo_set memo_set_of(RouterFixture& fx, uint32_t set, uint32_t way, const xp_cached_route& written) {
    for (const auto& s : fx.dp.route_memo_v4.read_percpu(set))
        if (std::memcmp(s.way[way].addr, written.addr, 16) == 0) return s;
    FAIL("no CPU's set " << set << " holds the expected answer in way " << way);
    return {};
}

uint8_t dmac_last_byte(const RunResult& r) { return r.out.dst_mac()[5]; }

}  // namespace

TEST_CASE("route cache: the first packet fills it with the tries' decision, later ones use it", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);

    xp_cached_route e = cached(fx, "10.2.1.2");
    CHECK(e.generation == fx.dp.read_control().generation);
    CHECK(e.reason == XP_REASON_FORWARD_PEERING);
    CHECK(e.link == 5 * XP_DIR_MAX + XP_DIR_A_TO_B);
    CHECK(e.route.target == fx.if_b1);
    CHECK(e.vpc == kVpcA);

    tamper(fx, "10.2.1.2", e.generation);
    auto r = fx.run(frame, fx.if_a1);
    REQUIRE(r.ret == XDP_REDIRECT);
    CHECK(dmac_last_byte(r) == 0xee);               // the cached decision was used
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 2);  // and counted on the link all the same
    CHECK(fx.cache_answers(XP_CACHE_HIT) == 1);
    CHECK(fx.cache_answers(XP_CACHE_MISS) == 1);
}

TEST_CASE("route cache: IPv6 destinations and same-VPC forwarding are cached too", "[router][cache]") {
    CacheFixture fx;
    REQUIRE(fx.run(udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2"), fx.if_a1).ret == XDP_REDIRECT);
    REQUIRE(fx.run(udp_frame("10.1.1.2", "10.1.2.9"), fx.if_a1).ret == XDP_REDIRECT);
    xp_cached_route e{};
    REQUIRE(fx.dp.route_cache_v6.get(key_v6(kVpcA, "fd00:b:0:1::2"), e));
    CHECK(e.link == 5 * XP_DIR_MAX + XP_DIR_A_TO_B);
    e = cached(fx, "10.1.2.9");
    CHECK(e.reason == XP_REASON_FORWARD_LOCAL);
    CHECK(e.link == XP_NO_LINK);
    CHECK(e.route.target == fx.if_a2);
}

TEST_CASE("route cache: drops are not cached, and TTL is checked on every packet", "[router][cache]") {
    CacheFixture fx;
    CHECK(fx.run(udp_frame("10.1.1.2", "10.9.9.9"), fx.if_a1).ret == XDP_DROP);  // no route
    CHECK(fx.run(udp_frame("10.1.1.2", "10.5.0.1"), fx.if_a1).ret == XDP_DROP);  // peering not active
    xp_cached_route e{};
    CHECK_FALSE(fx.dp.route_cache_v4.get(key_v4(kVpcA, "10.9.9.9"), e));
    CHECK_FALSE(fx.dp.route_cache_v4.get(key_v4(kVpcA, "10.5.0.1"), e));

    REQUIRE(fx.run(udp_frame("10.1.1.2", "10.2.1.2"), fx.if_a1).ret == XDP_REDIRECT);
    CHECK(fx.run(udp_frame("10.1.1.2", "10.2.1.2", 1), fx.if_a1).ret == XDP_DROP);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_ttl == 1);
}

TEST_CASE("route cache: a route change or a peering deactivated takes effect on the next packet", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    const uint64_t before = fx.dp.read_control().generation;

    SECTION("route entry deleted") {
        std::erase_if(fx.snapshot.routes, [](const RouteEntry& r) { return r.vpc_id == "vpc-a" && r.destination.str() == "10.2.0.0/16"; });
        reconcile(compile(fx.snapshot, fx.ports), fx.dp);
        CHECK(fx.dp.read_control().generation > before);
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
    SECTION("nothing changed: the generation moves all the same, and the tries give the same answer") {
        reconcile(compile(fx.snapshot, fx.ports), fx.dp);
        CHECK(fx.dp.read_control().generation > before);
        CHECK(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    }
}

TEST_CASE("route cache: an entry of an older generation, or whose copy names another key, is not trusted", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    const uint64_t gen = fx.dp.read_control().generation;

    tamper(fx, "10.2.1.2", gen - 1);
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);  // vsw-b1's VPC-side MAC, from the tries
    CHECK(cached(fx, "10.2.1.2").generation == gen);      // and the entry was filled again

    tamper(fx, "10.2.1.2", gen, /*vpc=*/2);  // an element reused for another key while being read
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);
}

TEST_CASE("route cache: switched off, the tries decide every packet and nothing is cached", "[router][cache]") {
    CacheFixture fx;
    xp_control c = fx.dp.read_control();
    c.cache_off = 1;
    fx.dp.write_control(c);
    REQUIRE(fx.run(udp_frame("10.1.1.2", "10.2.1.2"), fx.if_a1).ret == XDP_REDIRECT);
    REQUIRE(fx.run(udp_frame("10.1.1.2", "10.2.1.2"), fx.if_a1).ret == XDP_REDIRECT);
    xp_cached_route e{};
    CHECK_FALSE(fx.dp.route_cache_v4.get(key_v4(kVpcA, "10.2.1.2"), e));
    CHECK(fx.cache_answers(XP_CACHE_HIT) + fx.cache_answers(XP_CACHE_MISS) == 0);  // not asked, so not counted
    CHECK(fx.reason(XP_REASON_FORWARD_PEERING).packets == 2);
}

TEST_CASE("route cache: a copy that does not fold to its check word is not trusted", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    xp_cached_route e = cached(fx, "10.2.1.2");
    e.route.target = fx.if_c1;  // half of another decision, as a copy torn by a concurrent reuse
    fx.dp.route_cache_v4.put(key_v4(kVpcA, "10.2.1.2"), e);
    forget_memo(fx);
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    CHECK(cached(fx, "10.2.1.2").route.target == fx.if_b1);  // looked up again and filled anew
    CHECK(fx.port(fx.if_b1).tx.packets == 2);                // both left through vsw-b1
}

TEST_CASE("route cache: a hit through a peering checks the connection itself", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));

    SECTION("no longer active, written without a generation bump") {
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
}

TEST_CASE("route memo: this CPU's copy of a cache answer decides, for its generation and key only", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    auto [set, way, e] = memo_entry(fx, "10.2.1.2");
    CHECK(e.generation == fx.dp.read_control().generation);
    CHECK(e.reason == XP_REASON_FORWARD_PEERING);
    CHECK(e.route.target == fx.if_b1);

    xp_cached_route forged = e;
    forged.route.dmac[5] = 0xee;
    put_memo(fx, set, forged);
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 0xee);  // the memo answered, not the cache
    CHECK(fx.link(5, XP_DIR_A_TO_B).packets == 2);

    SECTION("an older generation") {
        forged.generation = e.generation - 1;
        put_memo(fx, set, forged);
    }
    SECTION("another VPC") {
        forged.vpc = 2;
        put_memo(fx, set, forged);
    }
    SECTION("another destination in the same set") {
        forged.addr[3] ^= 1;
        put_memo(fx, set, forged);
    }
    SECTION("a route change") { reconcile(compile(fx.snapshot, fx.ports), fx.dp); }
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);         // vsw-b1's VPC-side MAC: the cache or the tries
    CHECK(memo_entry(fx, "10.2.1.2").entry.route.dmac[5] == 3);  // and the memo filled anew
}

TEST_CASE("route memo: a hit through a peering still checks the connection", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    auto [set, way, e] = memo_entry(fx, "10.2.1.2");
    e.route.dmac[5] = 0xee;
    put_memo(fx, set, e);
    REQUIRE(dmac_last_byte(fx.run(frame, fx.if_a1)) == 0xee);  // the memo answers
    xp_peering p{};
    REQUIRE(fx.dp.peerings.get(5, p));
    p.active = 0;  // written without a generation bump: only the hit's own check can see it
    fx.dp.peerings.put(5, p);
    CHECK(fx.run(frame, fx.if_a1).ret == XDP_DROP);
    CHECK(fx.link(5, XP_DIR_A_TO_B).drop_inactive == 1);
}

TEST_CASE("route memo: IPv6, every word of the address is compared", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("fd00:a:0:1::2", "fd00:b:0:1::2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    auto [set, way, e] = memo_entry(fx, "fd00:b:0:1::2", /*is_v6=*/true);
    e.route.dmac[5] = 0xee;
    put_memo(fx, set, e, {}, true);
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 0xee);
    for (int byte : {4, 8, 15}) {
        xp_cached_route other = e;
        other.addr[byte] ^= 1;  // another destination in the same set
        put_memo(fx, set, other, {}, true);
        CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);
    }
}

TEST_CASE("route memo: two destinations share a set, a third answer takes a free way, or else the older", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    auto [set, way, e] = memo_entry(fx, "10.2.1.2");
    const uint64_t gen = e.generation;
    xp_cached_route other = e;  // another destination's live answer in the same set
    other.addr[3] ^= 1;
    other.route.dmac[5] = 0xdd;
    xp_cached_route oldest = other;  // and a third's
    oldest.addr[3] ^= 2;
    oldest.route.dmac[5] = 0xcc;

    SECTION("an answer in way 1 decides") {
        xp_cached_route forged = e;
        forged.route.dmac[5] = 0xee;
        put_memo(fx, set, other, forged);
        CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 0xee);
        const auto s = memo_set_of(fx, set, 0, other);
        CHECK(s.way[0].route.dmac[5] == 0xdd);  // a hit moves nothing
        CHECK(s.way[1].route.dmac[5] == 0xee);
    }
    SECTION("both ways current: the one way 0's check word names is replaced, and the next miss takes the other") {
        for (uint32_t victim : {0u, 1u}) {
            other.check = victim;
            put_memo(fx, set, other, oldest);
            CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);  // from the route cache
            const auto s = memo_set_of(fx, set, victim, e);
            CHECK(s.way[victim].generation == gen);
            CHECK(s.way[victim].route.dmac[5] == 3);
            CHECK(s.way[victim ^ 1].route.dmac[5] == (victim == 0 ? 0xcc : 0xdd));  // the other answer stays
            CHECK(s.way[0].check == (victim ^ 1));
            CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);  // now a memo hit
            CHECK(memo_entry(fx, "10.2.1.2").way == victim);
        }
    }
    SECTION("a stale answer in way 0 is overwritten, whatever the check word says") {
        xp_cached_route stale = other;
        stale.generation = gen - 1;
        stale.check = 1;
        put_memo(fx, set, stale, oldest);
        CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);
        const auto s = memo_set_of(fx, set, 0, e);
        CHECK(s.way[0].generation == gen);
        CHECK(s.way[1].route.dmac[5] == 0xcc);
    }
    SECTION("way 0 current and way 1 stale: way 1 is written") {
        xp_cached_route stale = oldest;
        stale.generation = gen - 1;
        other.check = 0;
        put_memo(fx, set, other, stale);
        CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);
        const auto s = memo_set_of(fx, set, 1, e);
        CHECK(s.way[1].generation == gen);
        CHECK(s.way[0].route.dmac[5] == 0xdd);
    }
}

TEST_CASE("route memo: a slot marked as being written is left alone by a run nested in the write", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    auto [set, way, e] = memo_entry(fx, "10.2.1.2");
    xp_cached_route writing = e;  // what an interrupted write leaves: the mark, half the fields
    writing.generation = ~0ull;
    writing.route.dmac[5] = 0xee;
    put_memo(fx, set, writing);
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);  // not taken for an answer: from the route cache
    for (const auto& s : fx.dp.route_memo_v4.read_percpu(set)) {
        CHECK(s.way[0].generation == ~0ull);  // not written over
        CHECK(s.way[0].route.dmac[5] == 0xee);
        CHECK(s.way[1].generation == 0);
    }
}

TEST_CASE("route memo: way 1 marked as being written is left alone too", "[router][cache]") {
    CacheFixture fx;
    const Frame frame = udp_frame("10.1.1.2", "10.2.1.2");
    REQUIRE(fx.run(frame, fx.if_a1).ret == XDP_REDIRECT);
    auto [set, way, e] = memo_entry(fx, "10.2.1.2");
    xp_cached_route other = e;  // way 0: another destination's current answer, naming way 1 next
    other.addr[3] ^= 1;
    other.route.dmac[5] = 0xdd;
    other.check = 1;
    xp_cached_route writing = e;
    writing.generation = ~0ull;
    writing.route.dmac[5] = 0xee;
    put_memo(fx, set, other, writing);
    CHECK(dmac_last_byte(fx.run(frame, fx.if_a1)) == 3);
    for (const auto& s : fx.dp.route_memo_v4.read_percpu(set)) {
        CHECK(s.way[1].generation == ~0ull);
        CHECK(s.way[1].route.dmac[5] == 0xee);
        CHECK(s.way[0].route.dmac[5] == 0xdd);
    }
}
