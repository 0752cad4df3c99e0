#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "model/errors.h"
#include "model/ids.h"
#include "model/route_id.h"
#include "store/sqlite_store.h"
#include "temp_dir.h"

using namespace xpeer;

namespace {

// Before schema 7: archived_counters with a column a counter.
constexpr const char* kArchivedCountersBefore7 =
    "DROP TABLE archived_counters; CREATE TABLE archived_counters (pcc TEXT NOT NULL REFERENCES peerings(id), "
    "direction INTEGER NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL, drop_inactive INTEGER NOT NULL, "
    "drop_no_route INTEGER NOT NULL, drop_transit INTEGER NOT NULL, drop_ttl INTEGER NOT NULL, "
    "drop_policer INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pcc, direction)); ";

// What version 8 added (hosts), taken away again: the file as an older version wrote it.
constexpr const char* kHostsBefore8 = "DROP INDEX vswitches_host; ALTER TABLE vswitches DROP COLUMN host; DROP TABLE hosts; ";

// Runs sql on the file behind the store's back.
void raw_exec(const std::string& db, const std::string& sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(h);
    REQUIRE(rc == SQLITE_OK);
}

// The store's route id salt (meta route_id_salt), read behind its back.
uint64_t route_salt(const std::string& db) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'route_id_salt'", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const auto salt = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return salt;
}

std::string error_code(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

Vpc vpc(const std::string& id, const std::string& cidr, AccountId account = 1) {
    Vpc v;
    v.id = id;
    v.account = account;
    v.region = "cn-hangzhou";
    v.name = id;
    v.cidr = Cidr::parse(cidr);
    v.created_at = 100;
    return v;
}

VSwitch vswitch(const std::string& id, const std::string& vpc_id, const std::string& cidr) {
    VSwitch v;
    v.id = id;
    v.vpc_id = vpc_id;
    v.cidr = Cidr::parse(cidr);
    return v;
}

Peering peering(const std::string& id, const std::string& a, const std::string& b) {
    Peering p;
    p.id = id;
    p.account = 1;
    p.vpc_id = a;
    p.peer_account = 2;
    p.peer_vpc_id = b;
    p.region = p.peer_region = "cn-hangzhou";
    p.status = PeeringStatus::Activated;
    return p;
}

RouteEntry route(const std::string& id, const std::string& vpc_id, const std::string& dst, const std::string& pcc) {
    return RouteEntry{id, vpc_id, Cidr::parse(dst), pcc, 5};
}

// vpc-a (10.0.0.0/16) and vpc-b (192.168.0.0/16), peered by pcc-0: what route entries need.
void peered_pair(Store& s) {
    auto a = vpc("vpc-a", "10.0.0.0/16"), b = vpc("vpc-b", "192.168.0.0/16");
    s.insert(a);
    s.insert(b);
    auto p = peering("pcc-0", "vpc-a", "vpc-b");
    s.insert(p);
}

}  // namespace

TEST_CASE("store: creates the file with the current schema version and reopens it", "[store]") {
    TempDir dir;
    {
        SqliteStore s(dir.db());
        s.set_setting("bpffs", "/sys/fs/bpf/xpeer");
        auto v = vpc("vpc-a", "10.0.0.0/16");
        v.ipv6_cidr = Cidr::parse("2408:4000::/56");
        s.insert(v);
    }
    REQUIRE(std::filesystem::exists(dir.db()));
    SqliteStore s(dir.db());
    CHECK(s.setting("bpffs") == "/sys/fs/bpf/xpeer");
    CHECK_FALSE(s.setting("nope"));
    s.set_setting("bpffs", "/other");
    CHECK(s.setting("bpffs") == "/other");
    auto v = s.find_vpc("vpc-a");
    REQUIRE(v);
    CHECK(v->cidr.str() == "10.0.0.0/16");
    CHECK(v->ipv6_cidr->str() == "2408:4000::/56");
    CHECK(v->region == "cn-hangzhou");
    CHECK(v->created_at == 100);

    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(dir.db().c_str(), &h) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == std::to_string(SqliteStore::kSchemaVersion));
    sqlite3_finalize(st);
    sqlite3_close(h);
}

TEST_CASE("store: refuses a file from a newer schema", "[store]") {
    TempDir dir;
    { SqliteStore s(dir.db()); }
    raw_exec(dir.db(), "UPDATE meta SET value = '" + std::to_string(SqliteStore::kSchemaVersion + 1) + "' WHERE key = 'schema_version'");
    CHECK(error_code([&] { SqliteStore s(dir.db()); }) == "Store.SchemaVersion");
}

TEST_CASE("store: a version 1 file is migrated to the current schema and keeps its rows", "[store]") {
    TempDir dir;
    {
        SqliteStore s(dir.db());
        auto v = vpc("vpc-a", "10.0.0.0/16");
        s.insert(v);
    }
    raw_exec(dir.db(),
             std::string(kHostsBefore8) +
                 "DROP TABLE quotas; DROP TABLE vpc_shares; DROP TABLE client_tokens; "
                 "ALTER TABLE vswitches DROP COLUMN account; ALTER TABLE instances DROP COLUMN account; "
                 "DROP TABLE archived_counters; CREATE TABLE archived_counters (pcc TEXT NOT NULL REFERENCES peerings(id), "
                 "direction INTEGER NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL, drop_inactive INTEGER NOT NULL, "
                 "drop_no_route INTEGER NOT NULL, drop_transit INTEGER NOT NULL, drop_ttl INTEGER NOT NULL, PRIMARY KEY (pcc, direction)); "
                 "DROP TABLE link_readings; DROP TABLE usage; "
                 "DROP TABLE prices; DROP TABLE alerts; DROP TABLE alert_history; "
                 "DROP INDEX routes_vpc_destination; DROP INDEX peerings_vpc; DROP INDEX peerings_peer_vpc; "
                 "DROP INDEX peerings_account_region; DROP INDEX peerings_peer_account; DROP INDEX peerings_status_created; "
                 "DROP INDEX vpcs_account; "
                 "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    SqliteStore s(dir.db());
    CHECK(s.find_vpc("vpc-a"));
    s.set_quota(1, "vpc_quota_peer_num", 30);
    CHECK(s.quota(1, "vpc_quota_peer_num") == 30);
    s.share("vpc-a", 7);
    s.share("vpc-a", 7);
    CHECK(s.principals("vpc-a") == std::vector<AccountId>{7});
    CHECK(s.vpcs_shared_with(7).size() == 1);
    s.insert(ClientToken{1, "t", "vpc", "req", "vpc-a"});
    CHECK(s.client_token(1, "t")->resource_id == "vpc-a");
    CHECK_FALSE(s.client_token(2, "t"));
    s.unshare("vpc-a", 7);
    CHECK(s.principals("vpc-a").empty());
    REQUIRE(s.prices().size() == 1);  // version 3: the seed's price
    CHECK(s.prices()[0].usd_per_gb == Approx(0.072));
    CHECK(s.vpcs_of_account(1).size() == 1);  // version 4: indexes for what one command reads
}

TEST_CASE("store: a version 6 file's archived counters, one column each, read as they were written", "[store]") {
    TempDir dir;
    {
        SqliteStore s(dir.db());
        auto a = vpc("vpc-a", "10.0.0.0/16"), b = vpc("vpc-b", "10.1.0.0/16");
        s.insert(a);
        s.insert(b);
        auto p = peering("pcc-0", "vpc-a", "vpc-b");
        s.insert(p);
    }
    // Version 6's table, rows as it wrote them: a counter's bit pattern in a signed column.
    raw_exec(dir.db(),
             std::string(kHostsBefore8) + kArchivedCountersBefore7 +
                 "INSERT INTO archived_counters VALUES ('pcc-0', 0, 1, 2, 3, 4, 5, 6, 7), ('pcc-0', 1, -1, 1099511627776, 0, 0, 0, 0, 0); "
                 "UPDATE meta SET value = '6' WHERE key = 'schema_version'");
    SqliteStore s(dir.db());
    auto a_to_b = s.archived_counters("pcc-0", Direction::AToB), b_to_a = s.archived_counters("pcc-0", Direction::BToA);
    REQUIRE(a_to_b);
    REQUIRE(b_to_a);
    CHECK((a_to_b->packets == 1 && a_to_b->bytes == 2 && a_to_b->drop_inactive == 3 && a_to_b->drop_no_route == 4 &&
           a_to_b->drop_transit == 5 && a_to_b->drop_ttl == 6 && a_to_b->drop_policer == 7));
    CHECK(b_to_a->packets == UINT64_MAX);
    CHECK(b_to_a->bytes == 1ull << 40);
    s.archive_counters("pcc-0", Direction::AToB, LinkCounters{10, 20, 30, 40, 50, 60, 70});
    CHECK(s.archived_counters("pcc-0", Direction::AToB)->drop_policer == 70);
}

TEST_CASE("store: counters text from before a counter was appended reads it as 0, a malformed one is refused", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    s.put(LinkReading{"pcc-0", Direction::AToB, 1000, LinkCounters{1, 2, 3, 4, 5, 6, 7}, LinkCounters{UINT64_MAX, 2, 3, 4, 5, 6, 7}});
    auto r = s.link_reading("pcc-0", Direction::AToB);
    REQUIRE(r);
    CHECK((r->raw.packets == 1 && r->raw.drop_ttl == 6 && r->raw.drop_policer == 7 && r->total.packets == UINT64_MAX));

    raw_exec(dir.db(), "UPDATE link_readings SET raw = '1,2,3,4,5,6', total = '8,9,10,11,12,13'");  // before drop_policer
    r = s.link_reading("pcc-0", Direction::AToB);
    REQUIRE(r);
    CHECK((r->raw.packets == 1 && r->raw.drop_ttl == 6 && r->raw.drop_policer == 0 && r->total.drop_ttl == 13));

    for (const char* text : {"", "1,2,3,4,5,6,7,8", "1,,3", "1,2,x", "-1,2", "1,2,", "18446744073709551616"}) {
        INFO(text);
        raw_exec(dir.db(), std::string("UPDATE link_readings SET raw = '") + text + "'");
        try {
            s.link_reading("pcc-0", Direction::AToB);
            FAIL("read");
        } catch (const StoreError& e) {
            CHECK(e.sqlite_code() == SQLITE_CORRUPT);
            CHECK_THAT(e.what(), Catch::Contains("malformed counters") && Catch::Contains("link_readings"));
        }
    }
}

TEST_CASE("store: a version 5 file's prices bill every hour as before, new ones add to their history", "[store]") {
    TempDir dir;
    { SqliteStore s(dir.db()); }
    raw_exec(dir.db(), std::string(kHostsBefore8) + kArchivedCountersBefore7 +
                           "DROP TABLE prices; "
                           "CREATE TABLE prices (region_a TEXT NOT NULL, region_b TEXT NOT NULL, link_type TEXT NOT NULL, "
                           "usd_per_gb REAL NOT NULL, PRIMARY KEY (region_a, region_b, link_type)); "
                           "INSERT INTO prices VALUES ('cn-shanghai', 'cn-hangzhou', 'Gold', 0.05); "
                           "UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    SqliteStore s(dir.db());
    auto prices = s.prices();
    REQUIRE(prices.size() == 1);
    CHECK(prices[0].region_a == "cn-hangzhou");  // in order
    CHECK(prices[0].region_b == "cn-shanghai");
    CHECK(prices[0].effective_from == 0);  // in force for every hour, as it was
    CHECK(prices[0].usd_per_gb == Approx(0.05));
    s.set_price(billing::Price{"cn-shanghai", "cn-hangzhou", "Gold", 0.06, 7200});
    s.set_price(billing::Price{"cn-hangzhou", "cn-shanghai", "Gold", 0.07, 7200});  // the same hour: replaced
    prices = s.prices();
    REQUIRE(prices.size() == 2);
    CHECK(prices[1].usd_per_gb == Approx(0.07));
    CHECK(billing::price_of(prices, "cn-shanghai", "cn-hangzhou", "Gold", 7199) == Approx(0.05));
    CHECK(billing::price_of(prices, "cn-shanghai", "cn-hangzhou", "Gold", 7200) == Approx(0.07));
}

TEST_CASE("store: a transaction not committed leaves nothing", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    {
        auto tx = s.begin();
        auto v = vpc("vpc-a", "10.0.0.0/16");
        s.insert(v);
        s.set_setting("k", "v");
        s.record(Event{1, "vpc-a", "Available", 1, "created"});
        CHECK(s.find_vpc("vpc-a"));
    }
    CHECK_FALSE(s.find_vpc("vpc-a"));
    CHECK_FALSE(s.setting("k"));
    CHECK(s.events().empty());
    CHECK_FALSE(s.id_exists("vpc-a"));
    {
        auto tx = s.begin();
        auto v = vpc("vpc-b", "10.0.0.0/16");
        s.insert(v);
        tx.commit();
    }
    CHECK(s.find_vpc("vpc-b"));
    // Another process sees it too.
    SqliteStore other(dir.db());
    CHECK(other.vpcs().size() == 1);
}

TEST_CASE("store: an exception inside a transaction rolls everything back", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    try {
        auto tx = s.begin();
        auto v = vpc("vpc-a", "10.0.0.0/16");
        s.insert(v);
        auto dup = vpc("vpc-a", "10.1.0.0/16");
        s.insert(dup);  // duplicate id
        tx.commit();
        FAIL("duplicate accepted");
    } catch (const Error& e) {
        CHECK(e.code() == "Store.Constraint");
        CHECK_THAT(e.what(), Catch::Contains("INSERT INTO vpcs"));
    }
    CHECK(s.vpcs().empty());
}

TEST_CASE("store: VPC keys are never reused", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto a = vpc("vpc-a", "10.0.0.0/16"), b = vpc("vpc-b", "10.1.0.0/16"), c = vpc("vpc-c", "10.2.0.0/16");
    s.insert(a);
    s.insert(b);
    CHECK(b.key == a.key + 1);
    s.delete_vpc("vpc-b");
    s.insert(c);
    CHECK(c.key == b.key + 1);
    CHECK(s.vpcs().size() == 2);
    CHECK(error_code([&] { s.delete_vpc("vpc-b"); }) == errors::code::InvalidVpcIdNotFound);
}

TEST_CASE("store: vSwitch slots are the smallest free after deletes", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto v = vpc("vpc-a", "10.0.0.0/16");
    s.insert(v);
    std::vector<VSwitch> vs;
    for (int i = 0; i < 4; ++i) {
        vs.push_back(vswitch("vsw-" + std::to_string(i), "vpc-a", "10.0." + std::to_string(i) + ".0/24"));
        s.insert(vs.back());
        CHECK(vs.back().number == static_cast<uint32_t>(i));
    }
    s.delete_vswitch("vsw-2");
    s.delete_vswitch("vsw-0");
    auto x = vswitch("vsw-x", "vpc-a", "10.0.8.0/24"), y = vswitch("vsw-y", "vpc-a", "10.0.9.0/24"),
         z = vswitch("vsw-z", "vpc-a", "10.0.10.0/24");
    s.insert(x);
    s.insert(y);
    s.insert(z);
    CHECK(x.number == 0);
    CHECK(y.number == 2);
    CHECK(z.number == 4);
    CHECK(s.vswitches_of("vpc-a").size() == 5);
    CHECK(s.find_vswitch("vsw-y")->number == 2);
}

TEST_CASE("store: vSwitch ports follow their vSwitch", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto v = vpc("vpc-a", "10.0.0.0/16");
    s.insert(v);
    auto w = vswitch("vsw-a", "vpc-a", "10.0.1.0/24");
    s.insert(w);
    s.set_vswitch_port("vsw-a", PortInfo{7, {0x02, 0, 0, 0, 0, 1}, {0x02, 0xab, 0xcd, 0xef, 0x10, 0xff}});
    s.set_vswitch_port("vsw-a", PortInfo{9, {0x02, 0, 0, 0, 0, 1}, {0x02, 0xab, 0xcd, 0xef, 0x10, 0xff}});
    auto ports = s.vswitch_ports();
    REQUIRE(ports.count("vsw-a") == 1);
    CHECK(ports["vsw-a"].ifindex == 9);
    CHECK(ports["vsw-a"].vpc_mac == Mac{0x02, 0xab, 0xcd, 0xef, 0x10, 0xff});
    s.delete_vswitch("vsw-a");
    CHECK(s.vswitch_ports().empty());
}

TEST_CASE("store: instances with optional addresses", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto v = vpc("vpc-a", "10.0.0.0/16");
    s.insert(v);
    auto w = vswitch("vsw-a", "vpc-a", "10.0.1.0/24");
    w.ipv6_cidr = Cidr::parse("2408:4000:0:1::/64");
    s.insert(w);
    s.insert(Instance{"i-1", "vsw-a", IpAddr::parse("10.0.1.2"), std::nullopt, 3});
    s.insert(Instance{"i-2", "vsw-a", IpAddr::parse("10.0.1.3"), IpAddr::parse("2408:4000:0:1::3"), 4});
    auto i1 = s.find_instance("i-1");
    REQUIRE(i1);
    CHECK(i1->ip->str() == "10.0.1.2");
    CHECK_FALSE(i1->ipv6);
    CHECK(s.instances_of("vsw-a").size() == 2);
    CHECK(s.find_instance("i-2")->ipv6->str() == "2408:4000:0:1::3");
    CHECK(s.find_vswitch("vsw-a")->ipv6_cidr == Cidr::parse("2408:4000:0:1::/64"));
    s.delete_instance("i-1");
    CHECK(s.instances().size() == 1);
}

TEST_CASE("store: peering slots are reused only from Deleted connections", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    for (auto id : {"vpc-a", "vpc-b", "vpc-c"}) {
        auto v = vpc(id, "10.0.0.0/16");
        s.insert(v);
    }
    auto p0 = peering("pcc-0", "vpc-a", "vpc-b"), p1 = peering("pcc-1", "vpc-a", "vpc-c"), p2 = peering("pcc-2", "vpc-b", "vpc-c");
    s.insert(p0);
    s.insert(p1);
    s.insert(p2);
    CHECK((p0.slot == 0 && p1.slot == 1 && p2.slot == 2));

    s.set_peering_status("pcc-1", PeeringStatus::Rejected);  // still holds its slot
    auto p3 = peering("pcc-3", "vpc-a", "vpc-c");
    s.insert(p3);
    CHECK(p3.slot == 3);

    s.set_peering_status("pcc-0", PeeringStatus::Deleted);
    auto p4 = peering("pcc-4", "vpc-a", "vpc-b");
    s.insert(p4);
    CHECK(p4.slot == 0);

    CHECK(s.peerings().size() == 5);
    auto live = s.live_peerings();
    CHECK(live.size() == 4);
    for (const auto& p : live) CHECK(p.id != "pcc-0");
    CHECK(s.find_peering("pcc-0")->status == PeeringStatus::Deleted);
    CHECK(s.find_peering("pcc-1")->status == PeeringStatus::Rejected);

    auto p = *s.find_peering("pcc-2");
    p.bandwidth_mbps = 200;
    p.status = PeeringStatus::Updating;
    p.description = "more";
    s.update_peering(p);
    auto back = *s.find_peering("pcc-2");
    CHECK(back.bandwidth_mbps == 200);
    CHECK(back.status == PeeringStatus::Updating);
    CHECK(back.description == "more");
    CHECK(back.slot == 2);
    CHECK(back.peer_account == 2);
    CHECK(error_code([&] { s.set_peering_status("pcc-nope", PeeringStatus::Deleted); }) == errors::code::InvalidVpcPeerIdNotFound);
}

TEST_CASE("store: final counters of a deleted connection", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto a = vpc("vpc-a", "10.0.0.0/16"), b = vpc("vpc-b", "10.1.0.0/16");
    s.insert(a);
    s.insert(b);
    auto p = peering("pcc-0", "vpc-a", "vpc-b");
    s.insert(p);
    CHECK_FALSE(s.archived_counters("pcc-0", Direction::AToB));
    s.archive_counters("pcc-0", Direction::AToB, LinkCounters{1, 2, 3, 4, 5, 6});
    s.archive_counters("pcc-0", Direction::BToA, LinkCounters{UINT64_MAX, 1ull << 40, 0, 0, 0, 0});
    s.archive_counters("pcc-0", Direction::AToB, LinkCounters{10, 20, 3, 4, 5, 6});  // replaced
    auto c0 = s.archived_counters("pcc-0", Direction::AToB), c1 = s.archived_counters("pcc-0", Direction::BToA);
    REQUIRE(c0);
    REQUIRE(c1);
    CHECK((c0->packets == 10 && c0->bytes == 20 && c0->drop_inactive == 3 && c0->drop_no_route == 4 && c0->drop_transit == 5 &&
           c0->drop_ttl == 6 && c0->drop_policer == 0));
    CHECK(c1->packets == UINT64_MAX);
    CHECK(c1->bytes == 1ull << 40);
}

TEST_CASE("store: route entries by VPC and by next hop", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    peered_pair(s);
    s.insert(route("rte-1", "vpc-a", "192.168.0.0/16", "pcc-0"));
    s.insert(route("rte-2", "vpc-b", "10.0.0.0/16", "pcc-0"));
    s.insert(route("rte-3", "vpc-a", "2408:4000::/56", "pcc-0"));
    CHECK(s.routes().size() == 3);
    CHECK(s.routes_of_vpc("vpc-a").size() == 2);
    CHECK(s.routes_via("pcc-0").size() == 3);
    CHECK(s.find_route("rte-3")->destination == Cidr::parse("2408:4000::/56"));
    s.delete_route("rte-1");
    CHECK_FALSE(s.find_route("rte-1"));
    CHECK(error_code([&] { s.delete_route("rte-1"); }) == errors::code::InvalidRouteEntryIdNotFound);
}

TEST_CASE("store: a route entry inserted without an id gets one derived from its key, never reused", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    peered_pair(s);
    const uint64_t salt = route_salt(dir.db());
    auto key_of = [&](const std::string& id) { return route_key_of(id, salt); };
    std::vector<RouteEntry> routes{route("", "vpc-a", "192.168.1.0/24", "pcc-0"), route("", "vpc-a", "192.168.2.0/24", "pcc-0")};
    s.insert(routes);
    REQUIRE(key_of(routes[0].id));
    REQUIRE(key_of(routes[1].id));
    CHECK(*key_of(routes[1].id) == *key_of(routes[0].id) + 1);
    const std::string given = s.insert(route("rte-given", "vpc-a", "192.168.3.0/24", "pcc-0"));
    CHECK(given == "rte-given");
    const std::string last = s.insert(route("", "vpc-a", "192.168.4.0/24", "pcc-0"));
    std::vector<std::string> listed;
    for (const auto& r : s.routes()) listed.push_back(r.id);
    CHECK(listed == std::vector<std::string>{routes[0].id, routes[1].id, "rte-given", last});
    CHECK(s.find_route(routes[1].id)->destination == Cidr::parse("192.168.2.0/24"));
    CHECK(s.id_exists(last));
    s.delete_route(last);  // the highest key: SQLite alone would hand it out again
    CHECK_FALSE(s.find_route(last));
    CHECK_FALSE(s.id_exists(last));
    CHECK(error_code([&] { s.delete_route(last); }) == errors::code::InvalidRouteEntryIdNotFound);
    const std::string next = s.insert(route("", "vpc-a", "192.168.4.0/24", "pcc-0"));
    CHECK(next != last);
    CHECK(*key_of(next) == *key_of(last) + 1);
    s.delete_route("rte-given");
    CHECK(s.routes().size() == 3);
    CHECK_FALSE(s.find_route(route_id_of(999, salt)));  // a well-formed id of no route
    CHECK(error_code([&] { s.insert(route(route_id_of(999, salt), "vpc-a", "192.168.9.0/24", "pcc-0")); }) == "Store.Constraint");
    CHECK(s.routes().size() == 3);
}

TEST_CASE("store: route keys skip what another writer took, and ids that kept routes hold", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    peered_pair(s);
    const uint64_t salt = route_salt(dir.db());
    const uint64_t first = *route_key_of(s.insert(route("", "vpc-a", "192.168.1.0/24", "pcc-0")), salt);
    // An xpeer from before schema 5, still running, inserts under SQLite's own next key.
    raw_exec(dir.db(), "INSERT INTO routes (key, id, vpc_id, destination, next_hop, created_at) VALUES (" + std::to_string(first + 1) +
                           ", 'rte-old', 'vpc-a', '192.168.2.0/24', 'pcc-0', 1)");
    // A kept route (key -1, so that it moves no maximum) that holds the id of the key after it.
    raw_exec(dir.db(), "INSERT INTO routes (key, id, vpc_id, destination, next_hop, created_at) VALUES (-1, '" +
                           route_id_of(first + 2, salt) + "', 'vpc-a', '192.168.3.0/24', 'pcc-0', 1)");
    const std::string added = s.insert(route("", "vpc-a", "192.168.4.0/24", "pcc-0"));
    CHECK(route_key_of(added, salt) == first + 3);
    CHECK(s.find_route(route_id_of(first + 2, salt))->destination == Cidr::parse("192.168.3.0/24"));
    CHECK(s.find_route("rte-old")->destination == Cidr::parse("192.168.2.0/24"));
    CHECK(s.routes().size() == 4);
}

TEST_CASE("store: routes inserted together are all stored or none, and get their ids only when stored", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    peered_pair(s);
    std::vector<RouteEntry> routes{route("", "vpc-a", "192.168.1.0/24", "pcc-0"), route("", "vpc-nope", "192.168.2.0/24", "pcc-0")};
    CHECK(error_code([&] { s.insert(routes); }) == "Store.Constraint");
    CHECK(routes[0].id.empty());
    CHECK(s.routes().empty());
}

TEST_CASE("store: a version 4 file keeps its route ids and order, new routes continue after them", "[store]") {
    TempDir dir;
    {
        SqliteStore s(dir.db());
        peered_pair(s);
    }
    raw_exec(dir.db(),
             std::string(kHostsBefore8) + kArchivedCountersBefore7 +
                 "DROP TABLE routes; DELETE FROM meta WHERE key = 'route_next_key'; "
                 "CREATE TABLE routes (id TEXT PRIMARY KEY, vpc_id TEXT NOT NULL REFERENCES vpcs(id), "
                 "destination TEXT NOT NULL, next_hop TEXT NOT NULL REFERENCES peerings(id), created_at INTEGER NOT NULL); "
                 "CREATE INDEX routes_next_hop ON routes(next_hop); CREATE INDEX routes_vpc_destination ON routes(vpc_id, destination); "
                 "INSERT INTO routes (rowid, id, vpc_id, destination, next_hop, created_at) VALUES "
                 "(7, 'rte-0x4k2m9q7c1d8e5f', 'vpc-a', '192.168.1.0/24', 'pcc-0', 1), "
                 "(3, 'rte-aaaabbbbccccdddd', 'vpc-a', '192.168.2.0/24', 'pcc-0', 2); "
                 "UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    SqliteStore s(dir.db());
    std::vector<std::string> listed;
    for (const auto& r : s.routes()) listed.push_back(r.id);
    CHECK(listed == std::vector<std::string>{"rte-aaaabbbbccccdddd", "rte-0x4k2m9q7c1d8e5f"});  // rowid order kept
    CHECK(s.find_route("rte-0x4k2m9q7c1d8e5f")->destination == Cidr::parse("192.168.1.0/24"));
    const std::string added = s.insert(route("", "vpc-a", "192.168.3.0/24", "pcc-0"));
    const uint64_t salt = route_salt(dir.db());
    CHECK(route_key_of(added, salt) == 8u);
    CHECK_FALSE(s.find_route(route_id_of(7, salt)));                          // key 7 is a kept route's: its id is the kept one
    CHECK(error_code([&] { s.delete_vpc("vpc-a"); }) == "Store.Constraint");  // kept routes are its children too
    s.delete_route("rte-aaaabbbbccccdddd");
    s.delete_route("rte-0x4k2m9q7c1d8e5f");
    CHECK(error_code([&] { s.delete_vpc("vpc-a"); }) == "Store.Constraint");
    s.delete_route(added);
    CHECK(s.routes().empty());
}

// The rule (DependencyViolation.*, every blocker named) is the controller's: vpc_delete_blockers_test.
TEST_CASE("store: parents with children cannot be deleted", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto a = vpc("vpc-a", "10.0.0.0/16"), b = vpc("vpc-b", "192.168.0.0/16");
    s.insert(a);
    s.insert(b);
    auto w = vswitch("vsw-a", "vpc-a", "10.0.1.0/24");
    s.insert(w);
    s.insert(Instance{"i-1", "vsw-a", IpAddr::parse("10.0.1.2"), std::nullopt, 3});
    auto p = peering("pcc-0", "vpc-a", "vpc-b");
    s.insert(p);
    s.insert(route("rte-1", "vpc-b", "10.0.0.0/16", "pcc-0"));

    CHECK(error_code([&] { s.delete_vpc("vpc-a"); }) == "Store.Constraint");      // its vSwitch
    CHECK(error_code([&] { s.delete_vswitch("vsw-a"); }) == "Store.Constraint");  // its instance
    CHECK(error_code([&] { s.delete_vpc("vpc-b"); }) == "Store.Constraint");      // its route entry
    CHECK(s.find_vpc("vpc-a"));
    CHECK(s.find_vswitch("vsw-a"));
    // The constraints underneath: no child without its parent.
    auto orphan = vswitch("vsw-o", "vpc-nope", "10.9.0.0/24");
    CHECK(error_code([&] { s.insert(orphan); }) == "Store.Constraint");
    CHECK(error_code([&] { s.insert(Instance{"i-o", "vsw-nope", std::nullopt, std::nullopt, 0}); }) == "Store.Constraint");
    CHECK(error_code([&] { s.insert(route("rte-o", "vpc-nope", "10.0.0.0/8", "pcc-0")); }) == "Store.Constraint");
    CHECK(error_code([&] { s.insert(route("rte-o", "vpc-a", "10.0.0.0/8", "pcc-nope")); }) == "Store.Constraint");

    s.delete_instance("i-1");
    s.delete_vswitch("vsw-a");
    s.delete_vpc("vpc-a");
    s.delete_route("rte-1");
    s.delete_vpc("vpc-b");
    CHECK(s.vpcs().empty());
}

TEST_CASE("store: events by time, then insertion, filtered by resource", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    s.record(Event{20, "pcc-b", "Activated", 1, "third"});
    s.record(Event{10, "pcc-a", "Creating", 1, "first"});
    s.record(Event{20, "vpc-a", "Available", 2, "fourth"});
    s.record(Event{10, "pcc-a", "Activated", 1, "second"});
    auto all = s.events();
    REQUIRE(all.size() == 4);
    std::vector<std::string> reasons;
    for (const auto& e : all) reasons.push_back(e.reason);
    CHECK(reasons == std::vector<std::string>{"first", "second", "third", "fourth"});
    CHECK(all[3].account == 2);
    CHECK(all[3].status == "Available");
    CHECK(s.events("pcc-a").size() == 2);
    CHECK(s.events("pcc-").size() == 3);
    CHECK(s.events("pcc-c").empty());
}

TEST_CASE("store: snapshot holds the live state", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto a = vpc("vpc-a", "10.0.0.0/16"), b = vpc("vpc-b", "192.168.0.0/16");
    s.insert(a);
    s.insert(b);
    auto w = vswitch("vsw-a", "vpc-a", "10.0.1.0/24");
    s.insert(w);
    s.insert(Instance{"i-1", "vsw-a", IpAddr::parse("10.0.1.2"), std::nullopt, 3});
    auto gone = peering("pcc-0", "vpc-a", "vpc-b"), live = peering("pcc-1", "vpc-a", "vpc-b");
    s.insert(gone);
    s.set_peering_status("pcc-0", PeeringStatus::Deleted);
    s.insert(live);
    s.insert(route("rte-1", "vpc-a", "192.168.0.0/16", "pcc-1"));
    auto snap = s.snapshot();
    CHECK(snap.vpcs.size() == 2);
    CHECK(snap.vswitches.size() == 1);
    CHECK(snap.instances.size() == 1);
    REQUIRE(snap.peerings.size() == 1);
    CHECK(snap.peerings[0].id == "pcc-1");
    CHECK(snap.peerings[0].slot == 0);
    CHECK(snap.routes.size() == 1);
}

TEST_CASE("store: accounts and id_exists", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    s.ensure_account(7);
    s.ensure_account(7);
    s.ensure_account(1234567890123ull);
    CHECK(s.accounts() == std::vector<AccountId>{7, 1234567890123ull});
    auto v = vpc("vpc-a", "10.0.0.0/16");
    s.insert(v);
    CHECK(s.id_exists("vpc-a"));
    CHECK_FALSE(s.id_exists("vpc-b"));
    s.record(Event{1, "vpc-gone", "Deleted", 1, "deleted"});
    CHECK(s.id_exists("vpc-gone"));  // a deleted resource's id stays taken
}

TEST_CASE("ids: cloud-style random ids, drawn again while taken", "[ids]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto id = new_id("vpc", [](const std::string&) { return false; });
        REQUIRE(id.size() == 20);
        CHECK(id.rfind("vpc-", 0) == 0);
        CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789", 4) == std::string::npos);
        seen.insert(id);
    }
    CHECK(seen.size() == 200);
    int calls = 0;
    auto id = new_id("pcc", [&](const std::string&) { return ++calls < 3; });
    CHECK(calls == 3);
    CHECK(id.rfind("pcc-", 0) == 0);
}

TEST_CASE("store: the committed view does not see an open transaction's changes", "[store]") {
    TempDir dir;
    SqliteStore s(dir.db());
    auto a = vpc("vpc-a", "10.0.0.0/16");
    s.insert(a);
    {
        auto tx = s.begin();
        auto b = vpc("vpc-b", "10.1.0.0/16");
        s.insert(b);
        s.delete_vpc("vpc-a");
        CHECK(s.find_vpc("vpc-b"));
        CHECK_FALSE(s.committed().find_vpc("vpc-b"));
        CHECK(s.committed().find_vpc("vpc-a"));
        tx.commit();
    }
    CHECK(s.committed().find_vpc("vpc-b"));
    CHECK_FALSE(s.committed().find_vpc("vpc-a"));
}

TEST_CASE("store: a version 7 file gains hosts, its vSwitches on no host", "[store]") {
    TempDir dir;
    {
        SqliteStore s(dir.db());
        auto v = vpc("vpc-a", "10.0.0.0/16");
        s.insert(v);
        VSwitch w;
        w.id = "vsw-a";
        w.vpc_id = "vpc-a";
        w.cidr = Cidr::parse("10.0.1.0/24");
        s.insert(w);
    }
    raw_exec(dir.db(), std::string(kHostsBefore8) + "UPDATE meta SET value = '7' WHERE key = 'schema_version'");
    SqliteStore s(dir.db());
    CHECK_FALSE(s.find_vswitch("vsw-a")->host);
    CHECK(s.hosts().empty());
    s.insert(Host{"h1", "cn-hangzhou", IpAddr::parse("10.250.0.1"), 1});
    VSwitch w;
    w.id = "vsw-b";
    w.vpc_id = "vpc-a";
    w.cidr = Cidr::parse("10.0.2.0/24");
    w.host = "h1";
    s.insert(w);
    CHECK(s.find_host("h1")->underlay == IpAddr::parse("10.250.0.1"));
    CHECK(s.host_with_underlay(IpAddr::parse("10.250.0.1"))->name == "h1");
    CHECK_FALSE(s.host_with_underlay(IpAddr::parse("10.250.0.2")));
    REQUIRE(s.vswitches_on("h1").size() == 1);
    CHECK(s.vswitches_on("h1")[0].id == "vsw-b");
    CHECK_THROWS_WITH(s.insert(Host{"h2", "cn-hangzhou", IpAddr::parse("10.250.0.1"), 1}),
                      Catch::Contains("UNIQUE"));  // one address, one host
}
