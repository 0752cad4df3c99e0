#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct Run {
    int status;
    std::string output;
};

// Runs the real binary with a store in a fresh temporary folder; every case here is refused
// while parsing, before the store is opened.
Run xpeer(const std::string& args) {
    char dir[] = "/tmp/xpeer-cli-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    std::string cmd = std::string(XPEER_BINARY) + " --state " + dir + "/state.db " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 512> buf{};
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    int st = pclose(p);
    bool store_made = access((std::string(dir) + "/state.db").c_str(), F_OK) == 0;
    std::filesystem::remove_all(dir);
    CHECK_FALSE(store_made);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST_CASE("a command line without a command is refused with usage", "[cli]") {
    auto r = xpeer("");
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("subcommand"));
}

TEST_CASE("a missing required option names the option", "[cli]") {
    auto r = xpeer("vpc create");
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("--cidr"));
}

TEST_CASE("an unknown noun or verb is refused", "[cli]") {
    CHECK(xpeer("bogus").status == 2);
    CHECK(xpeer("vpc frobnicate").status == 2);
}

TEST_CASE("a bad link type is refused before anything runs", "[cli]") {
    auto r = xpeer("peering create --vpc vpc-a --peer-vpc vpc-b --link-type Silver");
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("Silver"));
}

TEST_CASE("a non-numeric account is refused", "[cli]") {
    auto r = xpeer("--account bob vpc list");
    CHECK(r.status == 2);
    CHECK_THAT(r.output, Catch::Contains("--account"));
}

TEST_CASE("a tenant cannot move the clock: --now and XPEER_NOW need --operator", "[cli]") {
    auto r = xpeer("--now 2030-01-01T00:00:00Z peering list");
    CHECK(r.status == 1);
    CHECK_THAT(r.output, Catch::StartsWith("error: Forbidden.Operator: --now"));
    setenv("XPEER_NOW", "2030-01-01T00:00:00Z", 1);
    auto env = xpeer("peering list");
    unsetenv("XPEER_NOW");
    CHECK(env.status == 1);
    CHECK_THAT(env.output, Catch::StartsWith("error: Forbidden.Operator: --now"));
}

TEST_CASE("the operator's clock is bounded to 2000-2100", "[cli]") {
    for (const char* far : {"1969-12-31T23:59:59Z", "9999-01-01T00:00:00Z"}) {
        auto r = xpeer(std::string("--operator --now ") + far + " peering list");
        CHECK(r.status == 1);
        CHECK_THAT(r.output, Catch::StartsWith("error: InvalidTime.OutOfRange"));
    }
}

TEST_CASE("an argument with a control character is refused before anything runs", "[cli]") {
    auto r = xpeer("vpc create --cidr 10.0.0.0/16 --name \"$(printf 'x\\033[2Jy')\"");
    CHECK(r.status == 1);
    CHECK_THAT(r.output, Catch::StartsWith("error: InvalidParameter.ControlCharacter: argument "));
    CHECK(r.output.find('\033') == std::string::npos);  // not echoed
}

TEST_CASE("under --json, errors before and while parsing are JSON objects too", "[cli]") {
    auto missing = xpeer("vpc create --json");
    CHECK(missing.status == 2);
    CHECK_THAT(missing.output, Catch::StartsWith("{\"Code\":\"InvalidCommandLine\",\"Message\":"));
    CHECK_THAT(missing.output, Catch::Contains("--cidr"));
    auto clock = xpeer("peering list --now 2030-01-01T00:00:00Z --json");
    CHECK(clock.status == 1);
    CHECK_THAT(clock.output, Catch::StartsWith("{\"Code\":\"Forbidden.Operator\",\"Message\":\"--now"));
    auto control = xpeer("--json vpc create --cidr 10.0.0.0/16 --name \"$(printf 'x\\033y')\"");
    CHECK(control.status == 1);
    CHECK_THAT(control.output, Catch::StartsWith("{\"Code\":\"InvalidParameter.ControlCharacter\""));
}
