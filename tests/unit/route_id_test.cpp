#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "model/route_id.h"

using namespace xpeer;

namespace {
constexpr uint64_t kSalt = 0x5eed5a17c0ffee11ull;
}  // namespace

TEST_CASE("route ids: derived from a key, they look like any other id and give the key back", "[route_id]") {
    std::set<std::string> seen;
    for (uint64_t key : std::vector<uint64_t>{1, 2, 3, 99999, 100000, 1ull << 40, UINT64_MAX}) {
        const std::string id = route_id_of(key, kSalt);
        INFO(id);
        CHECK(id.size() == 20);
        CHECK(id.rfind("rte-", 0) == 0);
        CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789", 4) == std::string::npos);
        CHECK(route_key_of(id, kSalt) == key);
        seen.insert(id);
    }
    CHECK(seen.size() == 7);
    CHECK(route_id_of(1, kSalt) != route_id_of(2, kSalt));
    CHECK(route_id_of(1, kSalt).substr(4, 5) != route_id_of(2, kSalt).substr(4, 5));  // neighbours do not share a visible prefix
}

TEST_CASE("route ids: 100,000 consecutive keys give 100,000 ids, each decoding to its key", "[route_id]") {
    std::set<std::string> ids;
    bool all_back = true;
    for (uint64_t key = 1; key <= 100000; ++key) {
        auto id = route_id_of(key, kSalt);
        all_back = all_back && route_key_of(id, kSalt) == key;
        ids.insert(std::move(id));
    }
    CHECK(all_back);
    CHECK(ids.size() == 100000);
}

TEST_CASE("route ids: an id not derived from a key is not taken for one", "[route_id]") {
    const std::string id = route_id_of(12345, kSalt);
    CHECK_FALSE(route_key_of("", kSalt));
    CHECK_FALSE(route_key_of("rte-1", kSalt));
    CHECK_FALSE(route_key_of("vpc-" + id.substr(4), kSalt));          // another kind's prefix
    CHECK_FALSE(route_key_of(id + "a", kSalt));                       // too long
    CHECK_FALSE(route_key_of("rte-" + std::string(16, 'A'), kSalt));  // not the alphabet
    CHECK_FALSE(route_key_of("rte-" + std::string(16, '9'), kSalt));  // 13 key digits above 2^64
    std::string wrong_check = id;
    wrong_check[4] = wrong_check[4] == 'a' ? 'b' : 'a';
    CHECK_FALSE(route_key_of(wrong_check, kSalt));
    std::string wrong_key = id;
    wrong_key[19] = wrong_key[19] == 'a' ? 'b' : 'a';
    CHECK_FALSE(route_key_of(wrong_key, kSalt));
}

TEST_CASE("route ids: another store's salt gives other ids, which do not decode here", "[route_id]") {
    CHECK(route_id_of(1, kSalt) != route_id_of(1, kSalt + 1));
    int decoded = 0;
    for (uint64_t key = 1; key <= 1000; ++key) decoded += route_key_of(route_id_of(key, kSalt + 1), kSalt).has_value();
    CHECK(decoded <= 1);  // a false check passes once in 46,656
}
