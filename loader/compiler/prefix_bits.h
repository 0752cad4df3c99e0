#pragma once
// Addresses of either family as one 128-bit number, first byte highest (IPv4 in the top 32
// bits), for the compiled lookups' prefix arithmetic.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "model/cidr.h"

namespace xpeer::prefix_bits {

__extension__ typedef unsigned __int128 U128;

inline U128 number_of(const uint8_t* bytes, size_t n) {
    U128 v = 0;
    for (size_t i = 0; i < 16; ++i) v = v << 8 | (i < n ? bytes[i] : 0);
    return v;
}
inline U128 number_of(const IpAddr& a) { return number_of(a.bytes.data(), a.size()); }
inline U128 mask(unsigned len) { return len == 0 ? 0 : ~U128(0) << (128 - len); }
// The byte of addr that a node at `level` bits deep indexes.
inline unsigned byte_at(U128 addr, unsigned level) { return static_cast<unsigned>(addr >> (120 - level)) & 0xff; }

struct U128Hash {
    size_t operator()(U128 v) const {
        return std::hash<uint64_t>{}(static_cast<uint64_t>(v) ^ static_cast<uint64_t>(v >> 64) * 0x9e3779b97f4a7c15ull);
    }
};

}  // namespace xpeer::prefix_bits
