// Names, descriptions and route files are bounded as the cloud bounds them, and nothing a user
// types reaches another terminal as a control sequence.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "cli/route_file.h"
#include "controller/names.h"
#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

TEST_CASE("names: 2 to 128 characters, a letter first, letters, digits, '.', '_', '-'", "[names]") {
    for (const std::string& good : std::vector<std::string>{"", "ab", "VPC1", "web-tier_2.prod", "杭州生产", std::string(128, 'a')}) {
        INFO(good);
        CHECK(error_code([&] { names::check_name(errors::Kind::Vpc, good); }).empty());
    }
    for (const std::string& bad :
         std::vector<std::string>{"a", "1abc", "-abc", "has space", "semi;colon", "esc\x1b[2Jape", "tab\there", "nl\nx", "del\x7f",
                                  std::string(129, 'a'), "bad\xff", "c1\xc2\x9b", "\xe6\x9d"}) {
        INFO(bad);
        CHECK(error_code([&] { names::check_name(errors::Kind::Vpc, bad); }) == errors::code::InvalidVpcNameMalformed);
    }
    CHECK(error_code([&] { names::check_name(errors::Kind::VSwitch, "x"); }) == errors::code::InvalidVSwitchNameMalformed);
}

TEST_CASE("host names: a DNS label, as they are parts of etcd keys", "[names]") {
    for (const std::string& good : std::vector<std::string>{"h", "h1", "rack-7-host-03", "0a", std::string(63, 'a')}) {
        INFO(good);
        CHECK(error_code([&] { names::check_host_name(good); }).empty());
    }
    for (const std::string& bad : std::vector<std::string>{"", "H1", "h_1", "h.1", "-h", "h-", "h/1", "../x", "h 1", "h\n1", "杭州",
                                                           "esc\x1b[2J", std::string(64, 'a')}) {
        INFO(bad);
        CHECK(error_code([&] { names::check_host_name(bad); }) == errors::code::InvalidHostNameMalformed);
    }
}

TEST_CASE("descriptions: 2 to 256 printable characters, not a URL", "[names]") {
    for (const std::string& good :
         std::vector<std::string>{"", "ok", "a link to the data centre: 10 Gbit/s", std::string(256, 'd'), "ftp://is.fine"}) {
        INFO(good);
        CHECK(error_code([&] { names::check_description(good); }).empty());
    }
    for (const std::string& bad :
         std::vector<std::string>{"x", std::string(257, 'd'), "http://evil", "https://evil", "bell\a", "\x1b]0;title\a"}) {
        INFO(bad);
        CHECK(error_code([&] { names::check_description(bad); }) == "InvalidDescription.Malformed");
    }
}

TEST_CASE("a malformed name or description is refused by every command that takes one, changing nothing", "[names][controller]") {
    World w;
    auto a = vpc_with_vswitch(w, 1001, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, 1001, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(1001)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    const std::string before = w.dump();
    const std::string esc = "x\x1b[31mred";
    CHECK(error_code([&] {
              w.as(1001)->create_vpc(VpcSpec{"10.9.0.0/16", std::nullopt, "cn-hangzhou", esc});
          }) == "InvalidVpcName.Malformed");
    CHECK(error_code([&] {
              w.as(1001)->create_vswitch(VSwitchSpec{a, "10.1.9.0/24", std::nullopt, esc});
          }) == "InvalidVSwitchName.Malformed");
    auto c = vpc_with_vswitch(w, 1001, "10.3.0.0/16", "10.3.1.0/24");
    const std::string with_c = w.dump();
    CHECK(error_code([&] { w.as(1001)->create_peering(PeeringSpec{a, c, {}, {}, {}, {}, esc, ""}); }) == "InvalidVpcPeerName.Malformed");
    CHECK(error_code([&] {
              w.as(1001)->create_peering(PeeringSpec{a, c, {}, {}, {}, {}, "", "https://x"});
          }) == "InvalidDescription.Malformed");
    CHECK(error_code([&] { w.as(1001)->modify_peering(p.id, PeeringChange{esc, {}, {}, {}}); }) == "InvalidVpcPeerName.Malformed");
    CHECK(error_code([&] {
              w.as(1001)->modify_peering(p.id, PeeringChange{{}, std::string(300, 'd'), {}, {}});
          }) == "InvalidDescription.Malformed");
    CHECK(w.dump() == with_c);
    CHECK(before != with_c);
}

namespace {

std::string route_file_error(const std::string& text, const route_file::Limits& limits = {}) {
    std::istringstream in(text);
    try {
        route_file::read(in, limits);
    } catch (const Error& e) {
        return e.code() + ": " + e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("route files: one destination a line, comments and CRLF, bounded", "[route-file]") {
    std::istringstream in("# peers\n10.0.0.0/8\r\n\n192.168.0.0/16");
    CHECK(route_file::read(in) == std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"});
    CHECK_THAT(route_file_error("10.0.0.0/8\n" + std::string(300, '1') + "\n"), Catch::StartsWith("InvalidFile.LineTooLong: line 2 "));
    CHECK_THAT(route_file_error("10.0.0.0/8\n10.1\x1b[2J.0.0/16\n"), Catch::StartsWith("InvalidFile.ControlCharacter: line 2 "));
    route_file::Limits small;
    small.destinations = 2;
    CHECK_THAT(route_file_error("# a\n10.0.0.0/8\n10.1.0.0/16\n10.2.0.0/16\n", small),
               Catch::StartsWith("InvalidFile.TooManyLines: line 4: more than 2"));
    small.total_bytes = 16;
    CHECK_THAT(route_file_error("10.0.0.0/8\n10.1.0.0/16\n", small), Catch::StartsWith("InvalidFile.TooLarge: line 2"));
    CHECK(route_file::Limits{}.destinations == XP_MAX_ROUTES);
}

TEST_CASE("route files: a directory is an error, /dev/zero fails fast", "[route-file]") {
    World w;
    CHECK(error_code([&] { route_file::read_path(w.dir); }) == "InvalidFile.Directory");
    CHECK(error_code([&] { route_file::read_path(w.dir + "/missing"); }) == "InvalidFile");
    auto start = std::chrono::steady_clock::now();
    CHECK(error_code([&] { route_file::read_path("/dev/zero"); }) == "InvalidFile.LineTooLong");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}
