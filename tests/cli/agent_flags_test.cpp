// The agent's flags and its one-agent-a-store lock.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <optional>

#include "agent/options.h"
#include "agent/single_agent.h"
#include "cli/globals.h"
#include "model/error.h"
#include "world.h"

using namespace xpeer;

TEST_CASE("agent flags: global flags after the agent's own, and no --dry-run", "[agent]") {
    CLI::App app{"xpeer-agent"};
    Globals g;
    AgentFlags flags;
    add_globals(app, g);
    add_agent_command(app, flags);
    std::vector<std::string> args{"xpeer-agent", "agent", "--interval", "2s", "--state", "/tmp/a.db", "--dry-run"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    CHECK(flags.interval == "2s");
    CHECK(g.config.state_path == "/tmp/a.db");
    CHECK(xpeer::testing::error_code([&] { check_agent_not_dry_run(g.dry_run); }) == "InvalidParameter.DryRun");
    CHECK_NOTHROW(check_agent_not_dry_run(false));
    CHECK_THROWS_AS(app.parse(std::string("agent --bogus")), CLI::ParseError);
}

TEST_CASE("agent flags: the drift check has its own interval, positive", "[agent]") {
    AgentFlags flags;
    CHECK(flags.resolve().drift_interval == std::chrono::seconds(10));
    flags.drift_interval = "250ms";
    CHECK(flags.resolve().drift_interval == std::chrono::milliseconds(250));
    for (const char* bad : {"0s", "-1s", "soon"}) {
        flags.drift_interval = bad;
        CHECK_THROWS_AS(flags.resolve(), Error);
    }
}

TEST_CASE("agent flags: the metrics port is 1 to 65535, or 0 for none", "[agent]") {
    AgentFlags flags;
    for (int port : {0, 1, 9464, 65535}) {
        flags.options.metrics_port = port;
        CHECK(flags.resolve().metrics_port == port);
    }
    for (int port : {65536, 70000, 74000, -1}) {  // 74000 would have bound 8464: 74000 mod 65536
        INFO(port);
        flags.options.metrics_port = port;
        CHECK(xpeer::testing::error_code([&] { flags.resolve(); }) == "InvalidMetricsPort.OutOfRange");
    }
}

TEST_CASE("agent flags: the underlay's bandwidth is whole Mbps up to the policer's limit, 0 for none", "[agent]") {
    AgentFlags flags;
    CHECK(flags.resolve().underlay_bandwidth_mbps == 0);
    for (auto [text, mbps] : {std::pair{"900", 900}, {"0100", 100}, {"100000", 100000}}) {
        flags.underlay_bandwidth = text;
        CHECK(flags.resolve().underlay_bandwidth_mbps == mbps);
    }
    for (auto [bad, code] : {std::pair{"-1", "InvalidBandwidth.Value"},
                             {"1.5", "InvalidBandwidth.Malformed"},
                             {"", "InvalidBandwidth.Malformed"},
                             {"10gbit", "InvalidBandwidth.Malformed"},
                             {"100001", "InvalidBandwidth.TooLarge"},
                             {"99999999999999999999", "InvalidBandwidth.TooLarge"}}) {
        INFO(bad);
        flags.underlay_bandwidth = bad;
        CHECK(xpeer::testing::error_code([&] { flags.resolve(); }) == code);
    }
}

TEST_CASE("agent lock: a second agent on the store is refused, naming the first's pid and the lock", "[agent]") {
    char dir_template[] = "/tmp/xpeer-agent-lock-XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    const std::filesystem::path dir = dir_template;
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() { std::filesystem::remove_all(dir); }
    } cleanup{dir};
    const std::string state = (dir / "state.db").string();
    {
        FileLock first = lock_agent(state);
        try {
            lock_agent(state);  // flock(2) locks an open file: a second open in this process is refused like another process
            FAIL("the second agent was not refused");
        } catch (const Error& e) {
            CHECK(e.code() == "Agent.AlreadyRunning");
            CHECK(std::string(e.what()).find("pid " + std::to_string(::getpid())) != std::string::npos);
            CHECK(std::string(e.what()).find(state + ".agent.lock") != std::string::npos);
        }
    }
    CHECK_NOTHROW(lock_agent(state));  // the first stopped: the lock is free again
}
