#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct Run {
    int status;
    std::string output;
};

// Runs the real binary with a store in a fresh temporary folder; no root needed for these.
Run xpeer(const std::string& args) {
    std::string cmd = std::string(XPEER_BINARY) + " --state /nonexistent-xpeer-unit/x.db " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 512> buf{};
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    int st = pclose(p);
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
