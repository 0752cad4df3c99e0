#include <unistd.h>

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "compiler/lpm_key.h"
#include "datapath/bpf_router.h"
#include "datapath/reconcile.h"

using namespace xpeer;

namespace {

Tables two_routes_one_peering() {
    Tables t;
    xp_route via{};
    via.kind = XP_NH_PEERING;
    via.target = 4;
    t.routes_v4[lpm_key_v4(1, Cidr::parse("192.168.0.0/16"))] = via;
    t.routes_v6[lpm_key_v6(1, Cidr::parse("fd00:4000::/56"))] = via;
    t.peerings[4] = xp_peering{.vpc_a = 1, .vpc_b = 2, .active = 1};
    return t;
}

}  // namespace

TEST_CASE("reconcile writes what is missing, then nothing: it is idempotent", "[reconcile]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables t = two_routes_one_peering();
    auto first = reconcile(t, dp);
    CHECK(first.added == 3);
    CHECK(first.removed == 0);
    CHECK(reconcile(t, dp).total() == 0);
    CHECK(dp.routes_v4.keys().size() == 1);
}

TEST_CASE("reconcile changes what differs and removes what is no longer wanted", "[reconcile]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    reconcile(two_routes_one_peering(), dp);

    Tables t = two_routes_one_peering();
    t.routes_v6.clear();
    t.peerings[4].active = 0;
    auto r = reconcile(t, dp);
    CHECK(r.changed == 1);
    CHECK(r.removed == 1);
    CHECK(dp.routes_v6.keys().empty());
    xp_peering p{};
    REQUIRE(dp.peerings.get(4, p));
    CHECK(p.active == 0);

    t.peerings.clear();
    t.routes_v4.clear();
    r = reconcile(t, dp);
    CHECK(r.removed == 2);
    REQUIRE(dp.peerings.get(4, p));  // an array slot stays, zeroed
    CHECK(p.vpc_a == 0);
    CHECK(p.vpc_b == 0);
    CHECK(dp.routes_v4.keys().empty());
}

TEST_CASE("a map whose layout differs from this build is refused by name", "[reconcile]") {
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "xp_wrong", 4, 4, 8, nullptr);
    REQUIRE(fd >= 0);
    UniqueFd owned(fd);
    CHECK_THROWS_WITH((TypedMap<uint32_t, xp_port>::borrow(fd, "xp_ports")), Catch::Contains("xp_ports has key/value sizes 4/4"));
}

TEST_CASE("ports: every CPU's copy names the VPC, counters survive a reconcile, a torn, removed or re-added port is written whole",
          "[reconcile]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables t = two_routes_one_peering();
    t.ports[7] = xp_port{1, 0, {}, {}};
    t.ports[XP_MAX_PORTS - 1] = xp_port{2, 0, {}, {}};
    CHECK(reconcile(t, dp).added == 5);
    for (const xp_port& copy : dp.ports.read_percpu(XP_MAX_PORTS - 1)) CHECK(copy.vpc == 2);

    auto copies = dp.ports.read_percpu(7);
    copies.back().rx = xp_counters{3, 300};  // the router counted on the last CPU
    dp.ports.write_percpu(7, copies);
    CHECK(plan(t, dp).total() == 0);
    reconcile(t, dp);
    CHECK(dp.ports.read_percpu(7).back().rx.packets == 3);  // a reconcile that changes nothing keeps them

    copies.back().vpc = 0;  // one CPU's copy lost (a command killed while it wrote the port)
    dp.ports.write_percpu(7, copies);
    CHECK(plan(t, dp).changed == 1);
    CHECK(reconcile(t, dp).changed == 1);
    for (const xp_port& copy : dp.ports.read_percpu(7)) {
        CHECK(copy.vpc == 1);
        CHECK(copy.rx.packets == 0);
    }

    copies = dp.ports.read_percpu(7);
    copies.front().tx = xp_counters{5, 500};
    dp.ports.write_percpu(7, copies);
    Tables without = t;
    without.ports.erase(7);
    write(diff(t, without), dp);  // a vSwitch deleted, then another on its ifindex
    for (const xp_port& copy : dp.ports.read_percpu(7)) CHECK(bytes_equal(copy, xp_port{}));
    write(diff(without, t), dp);
    for (const xp_port& copy : dp.ports.read_percpu(7)) {
        CHECK(copy.vpc == 1);
        CHECK(copy.tx.packets == 0);  // the new port's counters start at zero
    }

    t.ports.erase(7);
    CHECK(reconcile(t, dp).removed == 1);
    for (const xp_port& copy : dp.ports.read_percpu(7)) CHECK(copy.vpc == 0);  // no port
    CHECK(plan(t, dp).total() == 0);

    Tables beyond = t;
    beyond.ports[XP_MAX_PORTS] = xp_port{1, 0, {}, {}};
    CHECK_THROWS_WITH(reconcile(beyond, dp), Catch::Contains("xp_ports"));
}

TEST_CASE("a per-CPU map of another size than this build's is refused by name", "[reconcile]") {
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
    UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "xp_link_stats", 4, sizeof(xp_link_counters), XP_LINKS_PER_CPU * cpu_ids() + 1, &opts));
    REQUIRE(fd.get() >= 0);
    CHECK_THROWS_WITH(CpuArray<xp_link_counters>(TypedMap<uint32_t, xp_link_counters>::borrow(fd.get(), "xp_link_stats"), XP_LINKS_PER_CPU),
                      Catch::Contains("xp_link_stats has") && Catch::Contains("another version"));
    BpfRouter dp = BpfRouter::load_unpinned();
    CHECK_THROWS_WITH(dp.verdicts.read_percpu(XP_VERDICTS_PER_CPU), Catch::Contains("beyond"));
}

TEST_CASE("a per-CPU map is read through the system call at first, then mapped, one that cannot be mapped is refused then", "[reconcile]") {
    auto mappings = [] {  // this process's mappings of BPF maps
        std::ifstream in("/proc/self/maps");
        size_t n = 0;
        for (std::string line; std::getline(in, line);) n += line.find("anon_inode:bpf-map") != std::string::npos;
        return n;
    };
    LIBBPF_OPTS(bpf_map_create_opts, mappable, .map_flags = BPF_F_MMAPABLE);
    UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "xp_link_stats", 4, sizeof(xp_link_counters), XP_LINKS_PER_CPU * cpu_ids(), &mappable));
    REQUIRE(fd.get() >= 0);
    const size_t before = mappings();
    CpuArray<xp_link_counters> links(TypedMap<uint32_t, xp_link_counters>::borrow(fd.get(), "xp_link_stats"), XP_LINKS_PER_CPU);
    std::vector<xp_link_counters> values(cpu_ids());
    for (unsigned c = 0; c < values.size(); ++c) values[c] = xp_link_counters{c + 1, 10 * c};
    links.write_percpu(7, values);  // through the system call
    for (uint32_t i = 1; i < CpuArray<xp_link_counters>::kSyscallUses; ++i) CHECK(links.read_percpu(7)[cpu_ids() - 1].packets == cpu_ids());
    CHECK(mappings() == before);  // a command that touches a few elements maps nothing
    const auto mapped = links.read_percpu(7);
    CHECK(mappings() == before + 1);
    REQUIRE(mapped.size() == cpu_ids());
    for (unsigned c = 0; c < mapped.size(); ++c) CHECK(mapped[c].packets == c + 1);  // the same element, CPU by CPU
    CpuArray<xp_link_counters> moved = std::move(links);                             // the mapping goes with it
    moved.write_percpu(7, std::vector<xp_link_counters>(cpu_ids(), xp_link_counters{3, 4}));
    CHECK(mappings() == before + 1);
    CHECK(moved.read_percpu(7)[0].packets == 3);
    xp_link_counters through_syscall{};
    REQUIRE(TypedMap<uint32_t, xp_link_counters>::borrow(fd.get(), "xp_link_stats").get(7, through_syscall));
    CHECK(through_syscall.bytes == 4);  // written through the mapping, seen by the kernel

    LIBBPF_OPTS(bpf_map_create_opts, plain);
    UniqueFd unmappable(
        bpf_map_create(BPF_MAP_TYPE_ARRAY, "xp_link_stats", 4, sizeof(xp_link_counters), XP_LINKS_PER_CPU * cpu_ids(), &plain));
    REQUIRE(unmappable.get() >= 0);
    CpuArray<xp_link_counters> refused(TypedMap<uint32_t, xp_link_counters>::borrow(unmappable.get(), "xp_link_stats"), XP_LINKS_PER_CPU);
    for (uint32_t i = 0; i < CpuArray<xp_link_counters>::kSyscallUses; ++i) refused.read_percpu(0);
    CHECK_THROWS_WITH(refused.read_percpu(0), Catch::Contains("mmap xp_link_stats") && Catch::Contains("BPF_F_MMAPABLE"));
}

TEST_CASE("pins of another type than this build's are refused by name", "[reconcile]") {
    const std::string dir = "/sys/fs/bpf/xpt-layout-" + std::to_string(getpid());
    BpfRouter::open_or_load(dir);
    struct Unpin {
        std::string dir;
        ~Unpin() { BpfRouter::unpin(dir); }
    } unpin{dir};
    const std::string ports = dir + "/xp_ports";
    REQUIRE(unlink(ports.c_str()) == 0);
    UniqueFd hash(bpf_map_create(BPF_MAP_TYPE_HASH, "xp_ports", 4, sizeof(xp_port), 16, nullptr));
    REQUIRE(hash.get() >= 0);
    REQUIRE(bpf_obj_pin(hash.get(), ports.c_str()) == 0);
    CHECK_THROWS_WITH(BpfRouter::open_pinned(dir), Catch::Contains("xp_ports is a map of type") && Catch::Contains("xpeer teardown"));
}

TEST_CASE("write puts and removes exactly a delta's entries, in batches", "[reconcile]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    Tables before = two_routes_one_peering();
    reconcile(before, dp);

    Tables after = before;
    after.routes_v6.clear();
    after.peerings.erase(4);
    after.ports[7] = xp_port{1, 0, {}, {}};
    xp_route via{};
    via.kind = XP_NH_PEERING;
    via.target = 5;
    for (uint32_t i = 0; i < 20000; ++i) {  // more than one batch's worth for a trie
        Cidr c;
        c.addr.bytes = {10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
        c.prefix_len = 32;
        after.routes_v4[lpm_key_v4(2, c)] = via;
    }
    after.peerings[5] = xp_peering{.vpc_a = 1, .vpc_b = 2, .active = 1};

    auto r = write(diff(before, after), dp);
    CHECK(r.added == 20002);
    CHECK(r.removed == 2);
    CHECK(plan(after, dp).total() == 0);  // the maps hold `after`, nothing more
    xp_peering p{};
    REQUIRE(dp.peerings.get(4, p));
    CHECK(p.vpc_a == 0);

    CHECK(write(diff(after, after), dp).total() == 0);

    // removals of keys the map no longer has are skipped, not failed on
    TablesDelta again = diff(after, before);
    write(again, dp);
    CHECK(write(again, dp).removed > 0);
    CHECK(plan(before, dp).total() == 0);
}

TEST_CASE("a connection that takes a slot starts from cleared counters, its own and an older build's keep theirs", "[reconcile]") {
    BpfRouter dp = BpfRouter::load_unpinned();
    const uint32_t slot = 4, index = slot * XP_DIR_MAX + XP_DIR_A_TO_B;
    auto counted = [&] {
        uint64_t packets = 0;
        for (const auto& cpu : dp.link_stats.read_percpu(index)) packets += cpu.packets;
        return packets;
    };
    auto count_some = [&] {
        std::vector<xp_link_counters> per_cpu(dp.link_stats.read_percpu(index).size());
        per_cpu[0].packets = 7;
        dp.link_stats.write_percpu(index, per_cpu);
    };
    Tables t = two_routes_one_peering();
    t.peerings[slot].owner = 0;  // as an older build wrote it
    reconcile(t, dp);
    count_some();

    t.peerings[slot].owner = 11;  // adopted: the same connection, now with its owner
    reconcile(t, dp);
    CHECK(counted() == 7);
    reconcile(t, dp);  // and kept by its own owner
    CHECK(counted() == 7);

    SECTION("reconcile: another connection in the slot") {
        t.peerings[slot].owner = 12;
        reconcile(t, dp);
        CHECK(counted() == 0);
    }
    SECTION("write: the slot emptied, then taken again, by a host that missed the step between") {
        Tables empty = t;
        empty.peerings.erase(slot);
        write(diff(t, empty), dp);
        CHECK(counted() == 7);  // a deleted connection's last counts stay until the slot is taken
        Tables next = empty;
        next.peerings[slot] = t.peerings[slot];
        next.peerings[slot].owner = 13;
        write(diff(empty, next), dp);
        CHECK(counted() == 0);
    }
}
