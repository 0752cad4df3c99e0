#include <bpf/btf.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "compiler/lpm_key.h"
#include "datapath/bpf_router.h"
#include "datapath/reconcile.h"
#include "datapath/router_upgrade.h"

using namespace xpeer;
namespace fs = std::filesystem;

namespace {

Tables one_route_one_peering() {
    Tables t;
    xp_route via{};
    via.kind = XP_NH_PEERING;
    via.target = 4;
    t.routes_v4[lpm_key_v4(1, Cidr::parse("192.168.0.0/16"))] = via;
    t.peerings[4] = xp_peering{.vpc_a = 1, .vpc_b = 2, .active = 1};
    return t;
}

struct PinnedRouter {
    std::string dir = "/sys/fs/bpf/xpt-upgrade-" + std::to_string(getpid());
    PinnedRouter() { BpfRouter::open_or_load(dir); }
    ~PinnedRouter() { BpfRouter::unpin(dir); }
};

// Replaces the pin `name` with a new map; returns its fd.
UniqueFd replace_pin(const std::string& dir, const char* name, bpf_map_type type, uint32_t key, uint32_t value, uint32_t entries,
                     uint32_t flags = 0) {
    const std::string path = dir + "/" + name;
    ::unlink(path.c_str());
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
    UniqueFd fd(bpf_map_create(type, name, key, value, entries, &opts));
    REQUIRE(fd.get() >= 0);
    REQUIRE(bpf_obj_pin(fd.get(), path.c_str()) == 0);
    return fd;
}

uint32_t map_value_size(const std::string& path) {
    UniqueFd fd(bpf_obj_get(path.c_str()));
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    REQUIRE(bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0);
    return info.value_size;
}

const MapStep& step_of(const RouterUpgrade& up, const std::string& name) {
    for (const auto& s : up.plan())
        if (s.name == name) return s;
    FAIL("no step for " << name);
    return up.plan().front();
}

}  // namespace

TEST_CASE("an upgrade carries link counters into a new map once, refills the rest, moves the pins", "[upgrade]") {
    PinnedRouter pins;
    const std::string& dir = pins.dir;
    const uint32_t cpus = cpu_ids();
    // The older build: link counters in a map that is not mappable (same value), an xp_control of
    // 16 bytes without BTF, and the route cache's map.
    UniqueFd old_links = replace_pin(dir, "xp_link_stats", BPF_MAP_TYPE_ARRAY, 4, sizeof(xp_link_counters), XP_LINKS_PER_CPU * cpus);
    xp_link_counters c{};
    c.packets = 5;
    c.bytes = 500;
    c.drop_policer = 2;
    c.policer_stash = 9;
    const uint32_t key = 7, last_cpu_key = (cpus - 1) * XP_LINKS_PER_CPU + 7;
    REQUIRE(bpf_map_update_elem(old_links.get(), &key, &c, BPF_ANY) == 0);
    c.packets = 1;
    if (cpus > 1) REQUIRE(bpf_map_update_elem(old_links.get(), &last_cpu_key, &c, BPF_ANY) == 0);
    replace_pin(dir, "xp_control", BPF_MAP_TYPE_ARRAY, 4, 16, 1);
    replace_pin(dir, "xp_route_cache_v4", BPF_MAP_TYPE_LRU_HASH, 8, 64, 1024);
    CHECK_THROWS(BpfRouter::open_pinned(dir));  // this build opens no pins of another layout

    RouterUpgrade up(dir);
    CHECK_FALSE(up.resumed());
    CHECK(step_of(up, "xp_link_stats").action == MapAction::Migrate);
    CHECK(step_of(up, "xp_control").action == MapAction::Create);
    CHECK(step_of(up, "xp_routes_v4").action == MapAction::Keep);
    CHECK(step_of(up, "xp_route_cache_v4").action == MapAction::RemoveStale);
    CHECK(RouterUpgrade::interrupted(dir));  // from the start: a killed upgrade is seen

    up.carry_settings();
    CHECK(up.next().read_control().dirty == 1);
    reconcile(one_route_one_peering(), up.next());
    up.stage();
    CHECK(fs::exists(dir + "/upgrading/swapping"));
    CHECK(fs::exists(dir + "/upgrading/xp_link_stats"));
    CHECK_FALSE(fs::exists(dir + "/upgrading/xp_routes_v4"));  // kept: never staged
    up.carry_counters();
    up.carry_counters();  // as a resumed upgrade would: the old elements are zero now, nothing is added twice
    up.commit();

    CHECK_FALSE(RouterUpgrade::interrupted(dir));
    CHECK_FALSE(fs::exists(dir + "/xp_route_cache_v4"));
    CHECK(map_value_size(dir + "/xp_control") == sizeof(xp_control));
    auto dp = BpfRouter::open_pinned(dir);  // every pin of this build's layout now
    REQUIRE(dp);
    CHECK(BpfRouter::program_id(dp->router_fd()) == BpfRouter::program_id(up.next().router_fd()));
    const auto counters = dp->link_stats.read_percpu(7);
    CHECK(counters[0].packets == 5);
    CHECK(counters[0].bytes == 500);
    CHECK(counters[0].drop_policer == 2);
    CHECK(counters[0].policer_stash == 0);  // not a counter
    if (cpus > 1) CHECK(counters[cpus - 1].packets == 1);
    xp_link_counters left{};
    REQUIRE(bpf_map_lookup_elem(old_links.get(), &key, &left) == 0);
    CHECK(left.packets == 0);  // carried elements are zeroed in the old map
    CHECK(dp->read_control().dirty == 0);
    CHECK(dp->read_control().compiled_off == 0);
    xp_peering p{};
    CHECK(dp->peerings.get(4, p));
    CHECK(p.active == 1);
    CHECK(plan(one_route_one_peering(), *dp).added == 0);

    const auto outcomes = up.outcomes();
    REQUIRE(outcomes.size() == up.plan().size());
    for (const auto& o : outcomes) {
        if (o.name == "xp_link_stats") {
            CHECK(o.action == "migrated");
            CHECK(o.elements == (cpus == 1 ? 1 : 2));
        }
        if (o.name == "xp_control") CHECK_THAT(o.detail, Catch::Contains("compiled_off, dirty start from zero"));
    }
}

TEST_CASE("an upgrade killed after it staged everything is adopted and finished, not started again", "[upgrade]") {
    PinnedRouter pins;
    const std::string& dir = pins.dir;
    replace_pin(dir, "xp_control", BPF_MAP_TYPE_ARRAY, 4, 16, 1);
    uint32_t staged_router = 0;
    {
        RouterUpgrade up(dir);
        up.carry_settings();
        reconcile(one_route_one_peering(), up.next());
        up.stage();
        staged_router = BpfRouter::program_id(up.next().router_fd());
    }  // killed: links could run the staged programs now
    REQUIRE(RouterUpgrade::interrupted(dir));
    RouterUpgrade again(dir);
    CHECK(again.resumed());
    CHECK(BpfRouter::program_id(again.next().router_fd()) == staged_router);
    again.carry_settings();
    again.stage();  // staged already: nothing to do
    again.carry_counters();
    again.commit();
    auto dp = BpfRouter::open_pinned(dir);
    REQUIRE(dp);
    CHECK(BpfRouter::program_id(dp->router_fd()) == staged_router);
    CHECK_FALSE(RouterUpgrade::interrupted(dir));
}

TEST_CASE("an upgrade killed before it staged everything starts over", "[upgrade]") {
    PinnedRouter pins;
    const std::string& dir = pins.dir;
    uint32_t first = 0;
    {
        RouterUpgrade up(dir);
        first = BpfRouter::program_id(up.next().router_fd());
    }  // killed before the swapping mark: nothing ran what it loaded
    REQUIRE(RouterUpgrade::interrupted(dir));
    RouterUpgrade again(dir);
    CHECK_FALSE(again.resumed());
    CHECK(BpfRouter::program_id(again.next().router_fd()) != first);
}

TEST_CASE("link counters that cannot be carried over refuse the upgrade and change nothing", "[upgrade]") {
    PinnedRouter pins;
    const std::string& dir = pins.dir;
    replace_pin(dir, "xp_link_stats", BPF_MAP_TYPE_ARRAY, 4, 72, XP_LINKS_PER_CPU * cpu_ids(), BPF_F_MMAPABLE);
    try {
        RouterUpgrade up(dir);
        FAIL("planned");
    } catch (const Error& e) {
        CHECK(e.code() == "Datapath.MapLayout");
        CHECK_THAT(e.what(), Catch::StartsWith("xp_link_stats"));
    }
    CHECK_FALSE(RouterUpgrade::interrupted(dir));
}

namespace {

struct BtfDeleter {
    void operator()(struct btf* b) const { btf__free(b); }
};

constexpr uint32_t kPreviousReasons = 15;  // that build's XP_REASON_MAX

// The previous build's xp_control and xp_verdicts, with BTF as libbpf pinned them:
// xp_control {generation u64, cache_off, compiled_off, pad, dirty u32},
// xp_verdicts {cache u64[3], reason xp_counters[15], pad_to_line u64[7]}.
struct PreviousBuild {
    std::unique_ptr<struct btf, BtfDeleter> btf{btf__new_empty()};
    int u32 = 0, control = 0, verdicts = 0;
    PreviousBuild() {
        REQUIRE(btf);
        auto* b = btf.get();
        u32 = btf__add_int(b, "unsigned int", 4, 0);
        const int u64 = btf__add_int(b, "unsigned long long", 8, 0);
        const int counters = btf__add_struct(b, "xp_counters", 16);
        btf__add_field(b, "packets", u64, 0, 0);
        btf__add_field(b, "bytes", u64, 64, 0);
        const int cache = btf__add_array(b, u32, u64, 3), reasons = btf__add_array(b, u32, counters, kPreviousReasons),
                  pad = btf__add_array(b, u32, u64, 7);
        control = btf__add_struct(b, "xp_control", 24);
        btf__add_field(b, "generation", u64, 0, 0);
        btf__add_field(b, "cache_off", u32, 64, 0);
        btf__add_field(b, "compiled_off", u32, 96, 0);
        btf__add_field(b, "pad", u32, 128, 0);
        btf__add_field(b, "dirty", u32, 160, 0);
        verdicts = btf__add_struct(b, "xp_verdicts", 320);
        btf__add_field(b, "cache", cache, 0, 0);
        btf__add_field(b, "reason", reasons, 24 * 8, 0);
        btf__add_field(b, "pad_to_line", pad, 264 * 8, 0);
        REQUIRE(btf__load_into_kernel(b) == 0);
    }
    UniqueFd pin(const std::string& dir, const char* name, int value_type, uint32_t value_size, uint32_t entries, uint32_t flags) {
        const std::string path = dir + "/" + name;
        ::unlink(path.c_str());
        LIBBPF_OPTS(bpf_map_create_opts, opts, .btf_fd = static_cast<__u32>(btf__fd(btf.get())), .btf_key_type_id = static_cast<__u32>(u32),
                    .btf_value_type_id = static_cast<__u32>(value_type), .map_flags = flags);
        UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, value_size, entries, &opts));
        REQUIRE(fd.get() >= 0);
        REQUIRE(bpf_obj_pin(fd.get(), path.c_str()) == 0);
        return fd;
    }
};

}  // namespace

TEST_CASE("the previous build's xp_control and xp_verdicts are carried over by field name through their BTF", "[upgrade]") {
    PinnedRouter pins;
    const std::string& dir = pins.dir;
    const uint32_t cpus = cpu_ids();
    PreviousBuild previous;
    UniqueFd control = previous.pin(dir, "xp_control", previous.control, 24, 1, 0);
    uint8_t old_control[24] = {};
    old_control[0] = 77;  // generation
    old_control[12] = 1;  // compiled_off
    const uint32_t zero = 0;
    REQUIRE(bpf_map_update_elem(control.get(), &zero, old_control, BPF_ANY) == 0);
    UniqueFd verdicts = previous.pin(dir, "xp_verdicts", previous.verdicts, 320, cpus, BPF_F_MMAPABLE);
    uint64_t old_verdicts[40] = {};
    old_verdicts[0] = 5;                                   // cache[0]: no such counter now
    old_verdicts[3 + 2 * XP_REASON_FORWARD_PEERING] = 10;  // reason[FORWARD_PEERING].packets
    old_verdicts[3 + 2 * XP_REASON_FORWARD_PEERING + 1] = 1000;
    REQUIRE(bpf_map_update_elem(verdicts.get(), &zero, old_verdicts, BPF_ANY) == 0);

    RouterUpgrade up(dir);
    CHECK(step_of(up, "xp_control").action == MapAction::Migrate);
    CHECK(step_of(up, "xp_verdicts").action == MapAction::Migrate);
    CHECK(step_of(up, "xp_verdicts").zeroed == std::vector<std::string>{"lookup"});
    up.carry_settings();
    reconcile(one_route_one_peering(), up.next());
    CHECK(up.next().read_control().compiled_off == 1);  // before any program runs on it
    up.stage();
    up.carry_counters();
    up.commit();

    auto dp = BpfRouter::open_pinned(dir);
    REQUIRE(dp);
    CHECK(dp->read_control().compiled_off == 1);
    CHECK(dp->read_control().dirty == 0);
    const auto v = dp->verdicts.read_percpu(0);
    CHECK(v[0].reason[XP_REASON_FORWARD_PEERING].packets == 10);
    CHECK(v[0].reason[XP_REASON_FORWARD_PEERING].bytes == 1000);
    CHECK(v[0].lookup[XP_LOOKUP_COMPILED] == 0);
    CHECK(v[0].reason[XP_REASON_FORWARD_LOCAL].packets == 0);
    for (const auto& o : up.outcomes())
        if (o.name == "xp_verdicts") {
            CHECK(o.action == "migrated");
            CHECK(o.elements == 1);  // CPU 0's; the others held nothing
            CHECK_THAT(o.detail, Catch::Contains("lookup start from zero"));
        }
}

TEST_CASE("an upgrade killed while it moved a group's pins in place is finished", "[upgrade]") {
    PinnedRouter pins;
    const std::string& dir = pins.dir;
    replace_pin(dir, "xp_fib_results", BPF_MAP_TYPE_ARRAY, 4, 28, XP_FIB_RESULTS, BPF_F_MMAPABLE);
    {
        RouterUpgrade up(dir);
        CHECK(step_of(up, "xp_fib_results").action == MapAction::Create);
        CHECK(step_of(up, "xp_fib_roots").action == MapAction::Create);  // its values index the new results' nodes
        CHECK(step_of(up, "xp_fib_roots").grouped);
        CHECK(step_of(up, "xp_routes_v4").action == MapAction::Keep);
        up.carry_settings();
        reconcile(one_route_one_peering(), up.next());
        up.stage();
    }
    // Killed after its commit moved the new roots in place, before the nodes and results.
    REQUIRE(::rename((dir + "/upgrading/xp_fib_roots").c_str(), (dir + "/xp_fib_roots").c_str()) == 0);
    RouterUpgrade again(dir);
    CHECK(again.resumed());
    CHECK(step_of(again, "xp_fib_roots").action == MapAction::Keep);
    CHECK(step_of(again, "xp_fib_nodes_v4").action == MapAction::Create);
    again.carry_settings();
    reconcile(one_route_one_peering(), again.next());
    again.stage();
    again.carry_counters();
    again.commit();
    auto dp = BpfRouter::open_pinned(dir);
    REQUIRE(dp);
    CHECK(map_value_size(dir + "/xp_fib_results") == sizeof(xp_fib_result));
    CHECK(plan(one_route_one_peering(), *dp).added == 0);
}
