// EtcdStore against a real etcd (Debian's etcd-server), started by the test (etcd_server.h).
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "etcd_server.h"
#include "model/errors.h"
#include "store/etcd/etcd_store.h"
#include "store/etcd/http_post.h"
#include "temp_dir.h"

using namespace xpeer;
using xpeer::testing::Etcd;
using xpeer::testing::free_port;

namespace {

Vpc vpc(const std::string& id, const std::string& cidr) {
    Vpc v;
    v.id = id;
    v.account = 1001;
    v.region = "cn-hangzhou";
    v.name = id;
    v.cidr = Cidr::parse(cidr);
    return v;
}

}  // namespace

TEST_CASE("etcd store: two replicas share one state, each commit on the state it read") {
    TempDir dir;
    Etcd server(dir);
    EtcdStore a(etcd::Client({server.url()}), dir.path + "/a.db");
    EtcdStore b(etcd::Client({server.url()}), dir.path + "/b.db");

    Vpc v1 = vpc("vpc-one", "10.1.0.0/16");
    {
        auto tx = a.begin();
        a.insert(v1);
        tx.commit();
    }
    CHECK(v1.key > 0);
    CHECK_FALSE(b.find_vpc("vpc-one"));  // b reads its replica as it is, until it syncs
    b.sync();
    REQUIRE(b.find_vpc("vpc-one"));
    CHECK(b.find_vpc("vpc-one")->key == v1.key);
    CHECK(b.revision() == a.revision());

    SECTION("the newest commit a replica holds stays put while writes beside the rows move the revision") {
        const int64_t commit = a.commit_revision();
        CHECK(commit == a.revision());  // a's own commit
        HostLinks links;
        links.time_ms = 42;
        links.totals[{"pcc-1", Direction::AToB}] = LinkCounters{10, 1500, 1, 0, 0, 0, 2};
        links.totals[{"pcc-1", Direction::BToA}] = LinkCounters{3, 300};
        a.publish_links("h1", links);                                   // a host's report: no commit
        EtcdStore c(etcd::Client({server.url()}), dir.path + "/c.db");  // loads now, past the report
        CHECK(c.revision() > commit);
        CHECK(c.commit_revision() == commit);  // what a host must have programmed is unchanged
        const auto read = c.host_links();
        REQUIRE(read.count("h1") == 1);
        CHECK(read.at("h1").time_ms == 42);
        REQUIRE(read.at("h1").totals.size() == 2);
        const LinkCounters& a_to_b = read.at("h1").totals.at({"pcc-1", Direction::AToB});
        CHECK(a_to_b.packets == 10);
        CHECK(a_to_b.bytes == 1500);
        CHECK(a_to_b.drop_inactive == 1);
        CHECK(a_to_b.drop_policer == 2);
        CHECK(read.at("h1").totals.at({"pcc-1", Direction::BToA}).bytes == 300);
    }

    SECTION("a commit on a state that changed since is refused, and writes nothing") {
        auto tx_a = a.begin();  // a reads the state at its revision
        Vpc mine = vpc("vpc-a", "10.2.0.0/16");
        a.insert(mine);
        {
            auto tx_b = b.begin();
            Vpc theirs = vpc("vpc-b", "10.3.0.0/16");
            b.insert(theirs);
            tx_b.commit();
        }
        try {
            tx_a.commit();
            FAIL("the commit succeeded");
        } catch (const Error& e) {
            CHECK(std::string(e.code()) == "Store.Conflict");
        }
        a.sync();
        CHECK_FALSE(a.find_vpc("vpc-a"));
        CHECK(a.find_vpc("vpc-b"));
        b.sync();
        CHECK_FALSE(b.find_vpc("vpc-a"));
        // run again on the newer state, it lands
        auto again = a.begin();
        Vpc retry = vpc("vpc-a", "10.2.0.0/16");
        a.insert(retry);
        again.commit();
        b.sync();
        CHECK(b.find_vpc("vpc-a"));
    }

    SECTION("a delete reaches the other replica, and a VPC key is never given twice") {
        {
            auto tx = a.begin();
            a.delete_vpc("vpc-one");
            tx.commit();
        }
        b.sync();
        CHECK_FALSE(b.find_vpc("vpc-one"));
        Vpc next = vpc("vpc-two", "10.4.0.0/16");
        {
            auto tx = b.begin();
            b.insert(next);
            tx.commit();
        }
        CHECK(next.key > v1.key);  // sqlite_sequence travels with the rows
    }

    SECTION("a rolled-back transaction writes nothing") {
        const int64_t before = a.revision();
        {
            auto tx = a.begin();
            Vpc gone = vpc("vpc-gone", "10.5.0.0/16");
            a.insert(gone);
        }
        b.sync();
        CHECK_FALSE(b.find_vpc("vpc-gone"));
        CHECK(b.revision() == before);
    }

    SECTION("settings that bind a host stay in its replica; the others are shared") {
        {
            auto tx = a.begin();
            a.set_setting("bpffs", "/sys/fs/bpf/host-a");
            a.set_setting("store_id", "shared-id");
            tx.commit();
        }
        {
            auto tx = b.begin();
            b.set_setting("bpffs", "/sys/fs/bpf/host-b");
            tx.commit();
        }
        a.sync();
        CHECK(a.setting("bpffs") == "/sys/fs/bpf/host-a");
        CHECK(b.setting("bpffs") == "/sys/fs/bpf/host-b");
        CHECK(b.setting("store_id") == "shared-id");
    }

    SECTION("processes sharing a replica never take it back to an older revision") {
        EtcdStore a2(etcd::Client({server.url()}), dir.path + "/a.db");  // a's file, another process
        {
            auto tx = a2.begin();
            Vpc theirs = vpc("vpc-a2", "10.7.0.0/16");
            a2.insert(theirs);
            tx.commit();
        }
        auto tx = a.begin();  // a last read an older revision: the file has the newer one
        CHECK(a.find_vpc("vpc-a2"));
        Vpc mine = vpc("vpc-a", "10.8.0.0/16");
        a.insert(mine);
        tx.commit();
        b.sync();
        CHECK(b.find_vpc("vpc-a2"));
        CHECK(b.find_vpc("vpc-a"));
    }

    SECTION("a revision compacted away is read again at the newest") {
        for (int i = 0; i < 3; ++i) {
            auto tx = b.begin();
            Vpc more = vpc("vpc-more" + std::to_string(i), "10.1" + std::to_string(i) + ".0.0/16");
            b.insert(more);
            tx.commit();
        }
        testing::compact(server, b.revision());
        a.sync();
        CHECK(a.find_vpc("vpc-more2"));
        CHECK(a.revision() >= b.revision());
    }

    SECTION("the kernel is behind rows loaded from another replica, not its own commits") {
        {
            auto tx = b.begin();
            CHECK(b.kernel_behind());  // loaded, never programmed
            b.kernel_caught_up();
            tx.commit();
        }
        {
            auto tx = b.begin();
            CHECK_FALSE(b.kernel_behind());
            Vpc own = vpc("vpc-own", "10.9.0.0/16");
            b.insert(own);
            tx.commit();
        }
        {
            auto tx = b.begin();
            CHECK_FALSE(b.kernel_behind());  // its own commit: the maps were written by it
        }
        {
            auto tx = a.begin();
            Vpc other = vpc("vpc-other-host", "10.10.0.0/16");
            a.insert(other);
            tx.commit();
        }
        auto tx = b.begin();
        CHECK(b.kernel_behind());
    }

    SECTION("rows another replica committed arrive as changes, which the kernel's lag holds as it follows them") {
        {
            auto tx = b.begin();
            b.set_setting(kLocalHostSetting, "h2");  // bound to a host: its kernel holds its own vSwitches only
            b.kernel_caught_up();                    // the kernel follows vpc-one
            tx.commit();
        }
        {
            auto tx = a.begin();
            Vpc two = vpc("vpc-two", "10.4.0.0/16");
            a.insert(two);
            a.delete_vpc("vpc-one");
            tx.commit();
        }
        b.sync();
        CHECK(b.find_vpc("vpc-two"));
        CHECK_FALSE(b.find_vpc("vpc-one"));
        auto tx = b.begin();
        REQUIRE(b.kernel_behind());
        const auto lag = b.kernel_lag();
        REQUIRE(lag);         // known, row by row
        CHECK(lag->empty());  // a VPC's own row changes no map entry among hosts
        b.as_kernel_follows([&] {
            CHECK(b.find_vpc("vpc-one"));
            CHECK_FALSE(b.find_vpc("vpc-two"));
        });
        CHECK(b.find_vpc("vpc-two"));
        CHECK_FALSE(b.find_vpc("vpc-one"));
        b.kernel_caught_up();
        tx.commit();  // what it read as the kernel follows it was never a change of this transaction
        a.sync();
        CHECK_FALSE(a.find_vpc("vpc-one"));
        auto again = b.begin();
        CHECK_FALSE(b.kernel_behind());

        SECTION("a commit on rows the kernel does not follow yet leaves the lag unknown") {
            again.commit();
            {
                auto tx_a = a.begin();
                Vpc other = vpc("vpc-from-a", "10.13.0.0/16");
                a.insert(other);
                tx_a.commit();
            }
            {
                auto tx_b = b.begin();  // loads a's row; no kernel follows it (a process without a data plane)
                REQUIRE(b.kernel_lag());
                Vpc own = vpc("vpc-from-b", "10.14.0.0/16");
                b.insert(own);
                tx_b.commit();
            }
            auto tx_b = b.begin();
            CHECK(b.kernel_behind());
            CHECK_FALSE(b.kernel_lag());  // b's own row is in no lag: everything follows the store
        }

        SECTION("history compacted away: the replica is read whole, and the lag is unknown") {
            again.commit();
            for (const char* id : {"vpc-three", "vpc-four"}) {
                auto tx_a = a.begin();
                Vpc more = vpc(id, id == std::string("vpc-three") ? "10.11.0.0/16" : "10.12.0.0/16");
                a.insert(more);
                tx_a.commit();
            }
            testing::compact(server, a.revision());  // vpc-three's revision is gone
            b.sync();
            CHECK(b.find_vpc("vpc-three"));
            CHECK(b.find_vpc("vpc-four"));
            auto tx_b = b.begin();
            CHECK(b.kernel_behind());
            CHECK_FALSE(b.kernel_lag());
        }
    }

    SECTION("a host's ports stay in its replica") {
        {
            auto tx = a.begin();
            VSwitch vsw;
            vsw.id = "vsw-one";
            vsw.vpc_id = "vpc-one";
            vsw.name = "one";
            vsw.cidr = Cidr::parse("10.1.1.0/24");
            a.insert(vsw);
            a.set_vswitch_port("vsw-one", PortInfo{42, {}, {}});
            tx.commit();
        }
        CHECK(a.vswitch_ports().contains("vsw-one"));
        b.sync();
        CHECK(b.find_vswitch("vsw-one"));
        CHECK_FALSE(b.vswitch_ports().contains("vsw-one"));
        {
            auto tx = b.begin();
            b.delete_vswitch("vsw-one");
            tx.commit();
        }
        a.sync();
        CHECK_FALSE(a.vswitch_ports().contains("vsw-one"));  // gone with its vSwitch
    }

    SECTION("a replica file of another store is loaded afresh") {
        {
            EtcdStore other(etcd::Client({server.url()}), dir.path + "/x.db", "/other/v1/");
            CHECK_FALSE(other.find_vpc("vpc-one"));  // a new store: its own rows only
            auto tx = other.begin();
            Vpc theirs = vpc("vpc-other", "10.6.0.0/16");
            other.insert(theirs);
            tx.commit();
        }
        EtcdStore d(etcd::Client({server.url()}), dir.path + "/x.db");
        CHECK(d.find_vpc("vpc-one"));
        CHECK_FALSE(d.find_vpc("vpc-other"));
    }
}

TEST_CASE("etcd store: a SQLite store is never taken for a replica") {
    TempDir dir;
    Etcd server(dir);
    {
        SqliteStore own(dir.path + "/own.db");
        auto tx = own.begin();
        Vpc mine = vpc("vpc-mine", "10.1.0.0/16");
        own.insert(mine);
        tx.commit();
    }
    try {
        EtcdStore s(etcd::Client({server.url()}), dir.path + "/own.db");
        FAIL("took a store for a replica");
    } catch (const Error& e) {
        CHECK(std::string(e.code()) == "Store.Refused");
        CHECK_THAT(e.what(), Catch::Contains("own.db"));
    }
    SqliteStore again(dir.path + "/own.db");
    CHECK(again.find_vpc("vpc-mine"));  // nothing changed
}

TEST_CASE("etcd store: an etcd that does not answer is Store.Unreachable, naming it") {
    TempDir dir;
    const std::string url = "http://127.0.0.1:" + std::to_string(free_port());
    try {
        EtcdStore s(etcd::Client({url}, std::chrono::milliseconds(500)), dir.path + "/r.db");
        FAIL("opened a store with no etcd");
    } catch (const Error& e) {
        CHECK(std::string(e.code()) == "Store.Unreachable");
        CHECK_THAT(e.what(), Catch::Contains(url));
    }
    CHECK_THROWS_WITH(etcd::Client({"ftp://127.0.0.1"}), Catch::Contains("not http://HOST[:PORT]"));
}
