// compile_scope over Store::snapshot_of(scope) gives what the whole store compiles to, for the
// keys the scope names: the incremental apply rests on this.
#include <catch2/catch.hpp>
#include <filesystem>

#include "compiler/compile_scope.h"
#include "compiler/compiler.h"
#include "compiler/delta.h"
#include "compiler/lpm_key.h"
#include "store/sqlite_store.h"

using namespace xpeer;

namespace {

struct TempStore {
    std::string dir;
    std::unique_ptr<Store> store;
    TempStore() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "xpeer-scope-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        store = std::make_unique<SqliteStore>(dir + "/xpeer.db");
    }
    ~TempStore() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
};

Vpc add_vpc(Store& s, const std::string& id, const std::string& cidr, const std::optional<std::string>& v6 = {}) {
    Vpc v;
    v.id = id;
    v.account = 1;
    v.region = "cn-hangzhou";
    v.cidr = Cidr::parse(cidr);
    if (v6) v.ipv6_cidr = Cidr::parse(*v6);
    s.insert(v);
    return v;
}

VSwitch add_vswitch(Store& s, const std::string& id, const Vpc& vpc, const std::string& cidr, const std::optional<std::string>& v6,
                    std::optional<uint32_t> ifindex) {
    VSwitch v;
    v.id = id;
    v.vpc_id = vpc.id;
    v.account = 1;
    v.cidr = Cidr::parse(cidr);
    if (v6) v.ipv6_cidr = Cidr::parse(*v6);
    s.insert(v);
    if (ifindex) s.set_vswitch_port(id, PortInfo{*ifindex, Mac{2, 0, 0, 0, 0, uint8_t(*ifindex)}, Mac{2, 0, 0, 0, 1, uint8_t(*ifindex)}});
    return v;
}

Peering add_peering(Store& s, const std::string& id, const Vpc& a, const Vpc& b, PeeringStatus status, int64_t mbps = -1) {
    Peering p;
    p.id = id;
    p.account = p.peer_account = 1;
    p.vpc_id = a.id;
    p.peer_vpc_id = b.id;
    p.region = p.peer_region = "cn-hangzhou";
    p.bandwidth_mbps = mbps;
    p.status = status;
    s.insert(p);
    return p;
}

void add_route(Store& s, const std::string& id, const Vpc& vpc, const std::string& destination, const Peering& via) {
    s.insert(RouteEntry{id, vpc.id, Cidr::parse(destination), via.id, 0});
}

bool same(const Tables& a, const Tables& b) { return diff(a, b).empty(); }

size_t size(const Tables& t) { return t.routes_v4.size() + t.routes_v6.size() + t.ports.size() + t.peerings.size(); }

// Three VPCs in a line, with IPv6, a connection in each status that matters, a route entry that
// shares a system route's key, a route through a deleted connection, a vSwitch without a link.
struct World {
    TempStore db;
    Vpc a, b, c, d;
    VSwitch a1, a2, b1, c1, d1;
    Peering ab, bc, pending, gone;

    World() {
        Store& s = *db.store;
        a = add_vpc(s, "vpc-a", "10.1.0.0/16", "fd00:1::/56");
        b = add_vpc(s, "vpc-b", "10.2.0.0/16", "fd00:2::/56");
        c = add_vpc(s, "vpc-c", "10.3.0.0/16");
        d = add_vpc(s, "vpc-d", "10.4.0.0/16");
        a1 = add_vswitch(s, "vsw-a1", a, "10.1.1.0/24", "fd00:1:0:1::/64", 11);
        a2 = add_vswitch(s, "vsw-a2", a, "10.1.2.0/24", std::nullopt, 12);
        b1 = add_vswitch(s, "vsw-b1", b, "10.2.1.0/24", "fd00:2:0:1::/64", 21);
        c1 = add_vswitch(s, "vsw-c1", c, "10.3.1.0/24", std::nullopt, 31);
        d1 = add_vswitch(s, "vsw-d1", d, "10.4.1.0/24", std::nullopt, std::nullopt);  // its link is not made yet
        ab = add_peering(s, "pcc-ab", a, b, PeeringStatus::Activated);
        bc = add_peering(s, "pcc-bc", b, c, PeeringStatus::Activated, 100);
        pending = add_peering(s, "pcc-ad", a, d, PeeringStatus::PeerAccepting);
        gone = add_peering(s, "pcc-ac", a, c, PeeringStatus::Activated);
        add_route(s, "rte-1", a, "10.2.0.0/16", ab);
        add_route(s, "rte-2", a, "fd00:2::/56", ab);
        add_route(s, "rte-3", b, "10.1.0.0/16", ab);
        add_route(s, "rte-4", b, "10.3.0.0/16", bc);
        add_route(s, "rte-5", c, "10.2.0.0/16", bc);
        add_route(s, "rte-6", a, "10.1.1.0/24", ab);  // the system route of vsw-a1 wins
        add_route(s, "rte-7", a, "10.3.0.0/16", gone);
        s.set_peering_status(gone.id, PeeringStatus::Deleted);  // rte-7 names a deleted connection
        for (int i = 0; i < 300; ++i)                           // more than snapshot_of looks up one by one
            add_route(s, "rte-m" + std::to_string(i), c, "172.16." + std::to_string(i / 4) + "." + std::to_string(i % 4 * 64) + "/26", bc);
    }

    // compile_scope of the scoped snapshot, checked against compile_scope of the whole store.
    Tables scoped(const Scope& scope) {
        auto part = db.store->snapshot_of(scope);
        Tables from_part = compile_scope(part.snapshot, part.ports, scope);
        Tables from_all = compile_scope(db.store->snapshot(), db.store->vswitch_ports(), scope);
        CHECK(same(from_part, from_all));
        return from_part;
    }
};

Cidr cidr(const char* text) { return Cidr::parse(text); }

}  // namespace

TEST_CASE("compile_scope: a scoped snapshot compiles to the whole store's entries for the scope's keys", "[compiler][scope]") {
    World w;
    Tables all = compile(w.db.store->snapshot(), w.db.store->vswitch_ports());

    SECTION("one route entry") {
        Scope s;
        s.add_route("vpc-a", cidr("10.2.0.0/16"));
        Tables t = w.scoped(s);
        REQUIRE(size(t) == 1);
        CHECK(bytes_equal(t.routes_v4.at(lpm_key_v4(w.a.key, cidr("10.2.0.0/16"))),
                          all.routes_v4.at(lpm_key_v4(w.a.key, cidr("10.2.0.0/16")))));
    }
    SECTION("an IPv6 route entry") {
        Scope s;
        s.add_route("vpc-a", cidr("fd00:2::/56"));
        Tables t = w.scoped(s);
        REQUIRE(t.routes_v6.size() == 1);
        CHECK(t.routes_v6.begin()->second.target == w.ab.slot);
    }
    SECTION("the system route wins over a route entry with its key") {
        Scope s;
        s.add_route("vpc-a", cidr("10.1.1.0/24"));
        Tables t = w.scoped(s);
        REQUIRE(t.routes_v4.size() == 1);
        CHECK(t.routes_v4.begin()->second.kind == XP_NH_VSWITCH);
    }
    SECTION("a route entry through a deleted connection compiles to nothing") {
        Scope s;
        s.add_route("vpc-a", cidr("10.3.0.0/16"));
        CHECK(size(w.scoped(s)) == 0);
    }
    SECTION("a destination nobody routes, and a VPC that does not exist") {
        Scope s;
        s.add_route("vpc-a", cidr("192.168.0.0/16"));
        s.add_route("vpc-gone", cidr("10.2.0.0/16"));
        CHECK(size(w.scoped(s)) == 0);
    }
    SECTION("a vSwitch: its port, its system routes and its reserved addresses, v4 and v6") {
        Scope s;
        s.add_vswitch(w.a1);
        Tables t = w.scoped(s);
        CHECK(t.ports.size() == 1);
        CHECK(t.ports.at(11).vpc == w.a.key);
        CHECK(t.routes_v4.size() == 4);  // the subnet; network, gateway, broadcast
        CHECK(t.routes_v6.size() == 3);  // the subnet; network, gateway
    }
    SECTION("a vSwitch without a link has no entries") {
        Scope s;
        s.add_vswitch(w.d1);
        CHECK(size(w.scoped(s)) == 0);
    }
    SECTION("peering connections: active, limited, pending and deleted") {
        Scope s;
        for (const auto* p : {&w.ab, &w.bc, &w.pending, &w.gone}) s.add_peering(p->id);
        Tables t = w.scoped(s);
        REQUIRE(t.peerings.size() == 3);
        CHECK(t.peerings.at(w.ab.slot).active == 1);
        CHECK(t.peerings.at(w.bc.slot).rate_bytes == 100'000'000 / 8);
        CHECK(t.peerings.at(w.pending.slot).active == 0);
        CHECK(size(t) == 3);  // the routes through them are not in the scope
    }
    SECTION("many destinations of one VPC, read in one pass") {
        Scope s;
        for (int i = 0; i < 300; i += 2)
            s.add_route("vpc-c", cidr(("172.16." + std::to_string(i / 4) + "." + std::to_string(i % 4 * 64) + "/26").c_str()));
        s.add_route("vpc-c", cidr("10.2.0.0/16"));
        CHECK(size(w.scoped(s)) == 151);
    }
    SECTION("everything at once") {
        Scope s;
        for (const auto& r : w.db.store->routes()) s.add_route(r.vpc_id, r.destination);
        for (const auto& v : w.db.store->vswitches()) s.add_vswitch(v);
        for (const auto& p : w.db.store->peerings()) s.add_peering(p.id);
        CHECK(same(w.scoped(s), all));
    }
}

TEST_CASE("diff: additions, changes and removals, patch and merge follow them", "[compiler][delta]") {
    Tables before, after;
    xp_peering on{}, off{};
    on.active = 1;
    before.peerings[1] = on;
    before.peerings[2] = on;
    after.peerings[2] = off;
    after.peerings[3] = on;
    before.ports[10] = xp_port{1, {}, {}, {}};
    after.ports[10] = xp_port{1, {}, {}, {}};
    after.routes_v4[lpm_key_v4(1, cidr("10.0.0.0/8"))] = xp_route{XP_NH_PEERING, 3, {}, {}};

    TablesDelta d = diff(before, after);
    auto r = d.counts();
    CHECK(r.added == 2);     // peering 3, the route
    CHECK(r.changed == 1);   // peering 2
    CHECK(r.removed == 1);   // peering 1
    CHECK(d.ports.empty());  // equal in both
    CHECK_FALSE(d.peerings.at(1).now);
    CHECK(d.peerings.at(2).was->active == 1);
    CHECK(diff(after, after).empty());

    Tables patched = before;
    patch(patched, d);
    CHECK(same(patched, after));

    // then back again: merged, nothing is left
    TablesDelta back = diff(after, before);
    TablesDelta both = d;
    merge(both, back);
    CHECK(both.empty());

    // then something else: the merge goes from before to the end
    Tables later = after;
    later.peerings.erase(3);
    TablesDelta more = d;
    merge(more, diff(after, later));
    Tables p2 = before;
    patch(p2, more);
    CHECK(same(p2, later));
    CHECK(more.counts().total() == diff(before, later).counts().total());
}

TEST_CASE("scope with covers: every network over each destination, in its VPC, up to the store's lookups", "[scope]") {
    Scope s = Scope::of_route("vpc-a", Cidr::parse("10.1.2.0/24"));
    s.add_route("vpc-b", Cidr::parse("fd00::/64"));
    auto covers = s.with_covers();
    REQUIRE(covers);
    CHECK(covers->prefixes.at("vpc-a").size() == 25);  // /24 and /23 … /0
    CHECK(covers->prefixes.at("vpc-a").contains(Cidr::parse("10.0.0.0/15")));
    CHECK(covers->prefixes.at("vpc-a").contains(Cidr::parse("0.0.0.0/0")));
    CHECK(covers->prefixes.at("vpc-b").size() == 65);
    CHECK(covers->prefixes.at("vpc-b").contains(Cidr::parse("fc00::/7")));

    Scope many;
    for (int i = 0; i < 3; ++i) many.add_route("vpc-a", Cidr::parse("fd00:" + std::to_string(i + 1) + "::1/128"));
    CHECK_FALSE(many.with_covers());  // more than kScopeLookupsPerVpc destinations in vpc-a
}
