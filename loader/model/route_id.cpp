#include "model/route_id.h"

namespace xpeer {
namespace {

constexpr std::string_view kPrefix = "rte-";
constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr int kCheckChars = 3, kKeyChars = 13;                                // 36^13 > 2^64
constexpr uint64_t kM1 = 0xbf58476d1ce4e5b9ull, kM2 = 0x94d049bb133111ebull;  // splitmix64's finaliser

constexpr uint64_t inverse(uint64_t odd) {  // mod 2^64, by Newton's iteration
    uint64_t x = odd;
    for (int i = 0; i < 5; ++i) x *= 2 - odd * x;
    return x;
}
constexpr uint64_t unshift(uint64_t y, int s) {  // the x of y = x ^ (x >> s)
    uint64_t x = y;
    for (int i = s; i < 64; i += s) x ^= y >> i;
    return x;
}

constexpr uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * kM1;
    x = (x ^ (x >> 27)) * kM2;
    return x ^ (x >> 31);
}
constexpr uint64_t unmix(uint64_t x) {
    x = unshift(x, 31) * inverse(kM2);
    x = unshift(x, 27) * inverse(kM1);
    return unshift(x, 30);
}
static_assert(unmix(mix(1)) == 1 && unmix(mix(0xdeadbeefcafe)) == 0xdeadbeefcafe);

uint64_t check_of(uint64_t mixed, uint64_t salt) { return mix(mixed ^ salt ^ 0x7265746e65657074ull) % (36 * 36 * 36); }

void put_digits(std::string& out, uint64_t v, int n) {
    const size_t end = out.size() + n;
    out.resize(end);
    for (int i = 1; i <= n; ++i, v /= 36) out[end - i] = kAlphabet[v % 36];
}

}  // namespace

std::string route_id_of(uint64_t key, uint64_t salt) {
    const uint64_t mixed = mix(key ^ salt);
    std::string id(kPrefix);
    put_digits(id, check_of(mixed, salt), kCheckChars);
    put_digits(id, mixed, kKeyChars);
    return id;
}

std::optional<uint64_t> route_key_of(std::string_view id, uint64_t salt) {
    if (id.size() != kPrefix.size() + kCheckChars + kKeyChars || id.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    uint64_t check = 0, mixed = 0;
    for (size_t i = kPrefix.size(); i < id.size(); ++i) {
        const size_t digit = kAlphabet.find(id[i]);
        if (digit == std::string_view::npos) return std::nullopt;
        auto& v = i < kPrefix.size() + kCheckChars ? check : mixed;
        if (v > (UINT64_MAX - digit) / 36) return std::nullopt;  // 13 digits can exceed 64 bits
        v = v * 36 + digit;
    }
    if (check != check_of(mixed, salt)) return std::nullopt;
    return unmix(mixed) ^ salt;
}

}  // namespace xpeer
