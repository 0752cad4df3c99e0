#include <catch2/catch.hpp>

#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

TEST_CASE("route import: many entries in one transaction, one bad line refuses them all, naming it", "[controller]") {
    World w;
    auto a = vpc_with_vswitch(w, 1, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, 1, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(1)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    std::vector<std::string> many;
    for (int i = 0; i < 1000; ++i) many.push_back("172." + std::to_string(16 + i / 256) + "." + std::to_string(i % 256) + ".0/24");
    CHECK(w.as(1)->import_routes(a, p.id, many) == 1000);
    CHECK(w.as(1)->list_routes(a).size() == 1000);
    CHECK(w.kernel->maps.routes_v4.size() == 2 * kV4EntriesPerVSwitch + 1000);

    const std::string before = w.dump();
    CHECK(error_code([&] {
              w.as(1)->import_routes(a, p.id, {"192.168.0.0/16", "172.16.0.0/24"});
          }) == "InvalidDestinationCidrBlock.Duplicate");
    CHECK(error_code([&] {
              w.as(1)->import_routes(a, p.id, {"192.168.0.0/16", "10.1.1.0/25"});
          }) == "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute");
    CHECK(error_code([&] {
              w.as(1)->import_routes(a, p.id, {"192.168.0.0/16", "192.168.0.0/16"});
          }) == "InvalidDestinationCidrBlock.Duplicate");
    try {
        w.as(1)->import_routes(a, p.id, {"192.168.0.0/16", "banana"});
        FAIL("imported a malformed line");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).rfind("line 2: ", 0) == 0);
    }
    // The first bad line is the one reported, whatever is wrong with it.
    for (const auto& [lines, code, where] : std::vector<std::tuple<std::vector<std::string>, std::string, std::string>>{
             {{"192.168.0.0/16", "172.16.0.0/24", "banana"}, "InvalidDestinationCidrBlock.Duplicate", "line 2: "},
             {{"192.168.0.0/16", "banana", "172.16.0.0/24"}, "InvalidCidrBlock.Malformed", "line 2: "},
             {{"192.168.0.0/16", "192.168.1.0/24", "192.168.1.0/24", "192.168.0.0/16"},
              "InvalidDestinationCidrBlock.Duplicate",
              "line 3: "}}) {
        try {
            w.as(1)->import_routes(a, p.id, lines);
            FAIL("imported a bad file");
        } catch (const Error& e) {
            CHECK(e.code() == code);
            CHECK(std::string(e.what()).rfind(where, 0) == 0);
        }
    }
    CHECK(error_code([&] { w.as(2)->import_routes(a, p.id, {"192.168.0.0/16"}); }) == "InvalidVpcId.NotFound");
    CHECK(w.dump() == before);
}
