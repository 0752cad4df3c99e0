#include <catch2/catch.hpp>

#include <set>

#include "model/error.h"
#include "model/region.h"

using namespace xpeer;

TEST_CASE("region: every supported region of the seed, once", "[region]") {
    const auto& all = regions();
    CHECK(all.size() == 28);
    std::set<std::string> ids, names;
    for (const auto& r : all) {
        ids.insert(r.id);
        names.insert(r.name);
        CHECK((r.area == "Asia Pacific" || r.area == "Europe & Americas" || r.area == "Middle East"));
        CHECK(r.mainland_china == (r.id.rfind("cn-", 0) == 0 && r.id != "cn-hongkong"));
        CHECK(r.partner == (r.id == "me-central-1"));
    }
    CHECK(ids.size() == all.size());
    CHECK(names.size() == all.size());
    CHECK(region("cn-huhehaote").name == "China (Hohhot)");
    CHECK(region("cn-wulanchabu").name == "China (Ulanqab)");
    CHECK(region("cn-nanjing").name == "China (Nanjing - Local Region)");
    CHECK(region("ap-southeast-1").name == "Singapore");
    CHECK(region("ap-southeast-7").name == "Thailand (Bangkok)");
    CHECK(region("us-east-1").area == "Europe & Americas");
    CHECK(region("me-central-1").name == "SAU (Riyadh - Partner Region)");
    CHECK(region("me-east-1").area == "Middle East");
    CHECK_FALSE(region("cn-hongkong").mainland_china);
}

TEST_CASE("region: unknown ids are refused", "[region]") {
    for (const char* bad : {"", "cn-Hangzhou", "mars-1", "cn-hangzhou "}) {
        INFO(bad);
        try {
            region(bad);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == "InvalidRegionId.NotFound");
            CHECK_THAT(e.what(), Catch::Contains("xpeer region list"));
        }
    }
}

TEST_CASE("region: cross-border means mainland China on one side only", "[region]") {
    CHECK_FALSE(is_cross_border(region("cn-huhehaote"), region("cn-guangzhou")));
    CHECK(is_cross_border(region("cn-hangzhou"), region("cn-hongkong")));
    CHECK(is_cross_border(region("us-west-1"), region("cn-beijing")));
    CHECK_FALSE(is_cross_border(region("cn-hongkong"), region("ap-northeast-1")));
    CHECK_FALSE(is_cross_border(region("eu-central-1"), region("us-east-1")));
}
