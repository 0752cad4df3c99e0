#include "compiler/lpm_key.h"

#include <algorithm>
#include <cstring>

#include "model/errors.h"

namespace xpeer {
namespace {

template <size_t N>
void copy_masked(uint8_t (&dst)[N], const IpAddr& addr, uint8_t prefix_len) {
    for (size_t i = 0; i < N; ++i) {
        int bits = std::clamp(static_cast<int>(prefix_len) - static_cast<int>(i * 8), 0, 8);
        uint8_t mask = bits == 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
        dst[i] = addr.bytes[i] & mask;
    }
}

template <typename Key>
Key make_key(uint32_t vpc, const Cidr& cidr, Family family) {
    if (cidr.family() != family)
        throw errors::invalid_cidr_block_family(cidr.str() + " is not an IPv" + std::to_string(static_cast<int>(family)) + " network");
    Key key;
    std::memset(&key, 0, sizeof(key));
    key.prefixlen = lpm_prefixlen(cidr.prefix_len);
    key.vpc = vpc;
    copy_masked(key.addr, cidr.addr, cidr.prefix_len);
    return key;
}

template <typename Key>
Cidr key_cidr(const Key& key, Family family) {
    Cidr c;
    c.addr.family = family;
    std::memcpy(c.addr.bytes.data(), key.addr, sizeof(key.addr));
    c.prefix_len = static_cast<uint8_t>(key.prefixlen - XP_LPM_VPC_BITS);
    return c;
}

}  // namespace

xp_lpm_key_v4 lpm_key_v4(uint32_t vpc, const Cidr& cidr) { return make_key<xp_lpm_key_v4>(vpc, cidr, Family::V4); }
xp_lpm_key_v6 lpm_key_v6(uint32_t vpc, const Cidr& cidr) { return make_key<xp_lpm_key_v6>(vpc, cidr, Family::V6); }
Cidr cidr_of(const xp_lpm_key_v4& key) { return key_cidr(key, Family::V4); }
Cidr cidr_of(const xp_lpm_key_v6& key) { return key_cidr(key, Family::V6); }

}  // namespace xpeer
