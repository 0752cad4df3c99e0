#include <catch2/catch.hpp>

#include "datapath/map_migration.h"
#include "model/error.h"

using namespace xpeer;

namespace {

constexpr uint32_t kArray = 2, kLpm = 11, kMmapable = 1024, kNoPrealloc = 1;

// A map of link counters as this build has it: 64 bytes, three u64 counters carried, per CPU.
MapSpec links(uint32_t per_cpu = 4, uint32_t cpus = 2) {
    MapSpec s{"xp_link_stats", {kArray, 4, 64, per_cpu * cpus, kMmapable}, per_cpu, MapRole::Counters};
    s.carried = {{"packets", 0, 8}, {"bytes", 8, 8}, {"drops", 16, 8}};
    s.must_carry = true;
    s.from_store = false;
    return s;
}

MapSpec control() {
    MapSpec s{"xp_control", {kArray, 4, 8, 1, 0}, 0, MapRole::Settings};
    s.carried = {{"compiled_off", 0, 4}};
    return s;
}

MapSpec routes() { return MapSpec{"xp_routes_v4", {kLpm, 12, 20, 1024, kNoPrealloc}}; }

PinnedMap pinned(const MapSpec& s) { return PinnedMap{s.name, s.layout}; }

const MapStep& step_of(const std::vector<MapStep>& plan, const std::string& name) {
    for (const auto& s : plan)
        if (s.name == name) return s;
    FAIL("no step for " << name);
    return plan.front();
}

// "Code: message" of the Error plan_upgrade throws, or "" if it plans.
std::string refusal(const std::vector<MapSpec>& build, const std::vector<PinnedMap>& pins) {
    try {
        plan_upgrade(build, pins, 2);
    } catch (const Error& e) {
        return e.code() + ": " + e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("upgrade plan: a pin of this build's layout is kept, a missing one created", "[upgrade]") {
    auto plan = plan_upgrade({routes(), control(), links()}, {pinned(routes()), pinned(links())}, 2);
    REQUIRE(plan.size() == 3);
    CHECK(plan[0].action == MapAction::Keep);
    CHECK(plan[1].action == MapAction::Create);
    CHECK(plan[1].why == "not pinned: new in this build");
    CHECK(plan[1].moves.empty());
    CHECK(plan[2].action == MapAction::Keep);
}

TEST_CASE("upgrade plan: desired state of another layout is created and refilled, never reused", "[upgrade]") {
    PinnedMap old = pinned(routes());
    old.layout.flags = 0;
    old.layout.value_size = 24;
    auto plan = plan_upgrade({routes()}, {old}, 2);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].action == MapAction::Create);
    CHECK(plan[0].why == "value size 24 -> 20, flags 0 -> 1");
}

TEST_CASE("upgrade plan: pins of maps this build has not are removed as stale", "[upgrade]") {
    PinnedMap cache{"xp_route_cache_v4", {9, 8, 64, 1048576, 0}};
    auto plan = plan_upgrade({routes()}, {pinned(routes()), cache}, 2);
    REQUIRE(plan.size() == 2);
    CHECK(plan[1].name == "xp_route_cache_v4");
    CHECK(plan[1].action == MapAction::RemoveStale);
}

TEST_CASE("upgrade plan: settings are copied by name from a value with BTF", "[upgrade]") {
    // The previous build's xp_control: {generation u64, cache_off, compiled_off, pad, dirty}.
    PinnedMap old{"xp_control", {kArray, 4, 24, 1, 0}};
    old.fields =
        std::vector<ValueField>{{"generation", 0, 8}, {"cache_off", 8, 4}, {"compiled_off", 12, 4}, {"pad", 16, 4}, {"dirty", 20, 4}};
    auto plan = plan_upgrade({control()}, {old}, 2);
    const MapStep& s = step_of(plan, "xp_control");
    CHECK(s.action == MapAction::Migrate);
    REQUIRE(s.moves.size() == 1);
    CHECK(s.moves[0].name == "compiled_off");
    CHECK(s.moves[0].from == 12);
    CHECK(s.moves[0].to == 0);
    CHECK(s.elements == 1);
}

TEST_CASE("upgrade plan: settings without BTF in a value of another size start afresh, and say so", "[upgrade]") {
    PinnedMap old{"xp_control", {kArray, 4, 16, 1, 0}};
    auto plan = plan_upgrade({control()}, {old}, 2);
    const MapStep& s = step_of(plan, "xp_control");
    CHECK(s.action == MapAction::Create);
    CHECK(s.moves.empty());
    CHECK(s.zeroed == std::vector<std::string>{"compiled_off"});
    CHECK(s.elements == 0);
    CHECK_THAT(s.why, Catch::Contains("value size 16 -> 8") && Catch::Contains("no BTF"));
}

TEST_CASE("upgrade plan: counters of the same value move element by element to the new regions", "[upgrade]") {
    // Only the per-CPU region grew (4 -> 8 elements a CPU) and the flags changed: same value.
    PinnedMap old{"xp_link_stats", {kArray, 4, 64, 4 * 2, 0}};
    auto plan = plan_upgrade({links(8)}, {old}, 2);
    const MapStep& s = step_of(plan, "xp_link_stats");
    CHECK(s.action == MapAction::Migrate);
    CHECK(s.moves.size() == 3);
    CHECK(s.cpus == 2);
    CHECK(s.old_per_cpu == 4);
    CHECK(s.new_per_cpu == 8);
    CHECK(s.elements == 4);
    for (const auto& m : s.moves) CHECK(m.from == m.to);
}

TEST_CASE("upgrade plan: counters are matched by name when the pinned value has BTF", "[upgrade]") {
    // The old value had the counters elsewhere, one of them missing and one more of its own.
    PinnedMap old{"xp_link_stats", {kArray, 4, 32, 4 * 2, kMmapable}};
    old.fields = std::vector<ValueField>{{"extra", 0, 8}, {"bytes", 8, 8}, {"packets", 16, 8}, {"pad", 24, 8}};
    auto plan = plan_upgrade({links()}, {old}, 2);
    const MapStep& s = step_of(plan, "xp_link_stats");
    CHECK(s.action == MapAction::Migrate);
    REQUIRE(s.moves.size() == 2);
    CHECK(s.moves[0].name == "packets");
    CHECK(s.moves[0].from == 16);
    CHECK(s.moves[0].to == 0);
    CHECK(s.moves[1].name == "bytes");
    CHECK(s.moves[1].from == 8);
    CHECK(s.zeroed == std::vector<std::string>{"drops"});
}

TEST_CASE("upgrade plan: link counters that cannot be carried over are refused by name", "[upgrade]") {
    SECTION("another value size without BTF") {
        PinnedMap old{"xp_link_stats", {kArray, 4, 72, 4 * 2, kMmapable}};
        CHECK_THAT(refusal({routes(), links()}, {pinned(routes()), old}),
                   Catch::StartsWith("Datapath.MapLayout: xp_link_stats") && Catch::Contains("nothing was changed"));
    }
    SECTION("no region per CPU id") {
        PinnedMap old{"xp_link_stats", {kArray, 4, 64, 7, kMmapable}};
        CHECK_THAT(refusal({links()}, {old}), Catch::StartsWith("Datapath.MapLayout: xp_link_stats") && Catch::Contains("no region"));
    }
    SECTION("another map type") {
        PinnedMap old{"xp_link_stats", {6 /* PERCPU_ARRAY */, 4, 64, 4, 0}};
        CHECK_THAT(refusal({links()}, {old}), Catch::StartsWith("Datapath.MapLayout: xp_link_stats") && Catch::Contains("type or key"));
    }
    SECTION("more elements than this build's regions hold") {
        PinnedMap old{"xp_link_stats", {kArray, 4, 64, 16 * 2, kMmapable}};
        CHECK_THAT(refusal({links(4)}, {old}), Catch::StartsWith("Datapath.MapLayout: xp_link_stats") && Catch::Contains("would be lost"));
    }
    SECTION("BTF with none of the counters") {
        PinnedMap old{"xp_link_stats", {kArray, 4, 64, 4 * 2, 0}};
        old.fields = std::vector<ValueField>{{"a", 0, 8}, {"b", 8, 8}};
        CHECK_THAT(refusal({links()}, {old}),
                   Catch::StartsWith("Datapath.MapLayout: xp_link_stats") && Catch::Contains("none of the fields"));
    }
}

TEST_CASE("upgrade plan: other counters that cannot be carried over start from zero, and say so", "[upgrade]") {
    MapSpec verdicts{"xp_verdicts", {kArray, 4, 256, 2, kMmapable}, 1, MapRole::Counters};
    verdicts.carried = {{"lookup", 0, 16}, {"reason", 16, 240}};
    PinnedMap old{"xp_verdicts", {kArray, 4, 320, 2, kMmapable}};
    auto plan = plan_upgrade({verdicts}, {old}, 2);
    const MapStep& s = step_of(plan, "xp_verdicts");
    CHECK(s.action == MapAction::Create);
    CHECK(s.zeroed == std::vector<std::string>{"lookup", "reason"});
    CHECK_THAT(s.why, Catch::Contains("not carried over"));
}

TEST_CASE("upgrade plan: to_string and layout_difference", "[upgrade]") {
    CHECK(to_string(MapAction::Keep) == "kept");
    CHECK(to_string(MapAction::RemoveStale) == "removed stale");
    CHECK(layout_difference({2, 4, 8, 1, 0}, {2, 4, 8, 1, 0}).empty());
    CHECK(layout_difference({6, 4, 8, 1, 0}, {2, 4, 8, 2, 0}) == "type 6 -> 2, entries 1 -> 2");
}

TEST_CASE("upgrade plan: maps that index each other are new together", "[upgrade]") {
    auto fib = [](const char* name, uint32_t value) {
        MapSpec s{name, {kArray, 4, value, 16, kMmapable}};
        s.group = "compiled lookup";
        return s;
    };
    const std::vector<MapSpec> build{fib("xp_fib_roots", 4), fib("xp_fib_nodes_v4", 1024), fib("xp_fib_results", 32), routes()};
    std::vector<PinnedMap> pins;
    for (const auto& s : build) pins.push_back(pinned(s));
    SECTION("all of this build's layout: all kept") {
        for (const auto& s : plan_upgrade(build, pins, 2)) CHECK(s.action == MapAction::Keep);
    }
    SECTION("one of another layout: the others of its group are new too, the rest kept") {
        pins[2].layout.value_size = 28;  // xp_fib_results
        auto plan = plan_upgrade(build, pins, 2);
        CHECK(plan[0].action == MapAction::Create);
        CHECK(plan[0].grouped);
        CHECK_THAT(plan[0].why, Catch::Contains("new with xp_fib_results"));
        CHECK(plan[1].action == MapAction::Create);
        CHECK(plan[2].action == MapAction::Create);
        CHECK(plan[2].why == "value size 28 -> 32");
        CHECK_FALSE(plan[2].grouped);
        CHECK(plan[3].action == MapAction::Keep);
    }
}
