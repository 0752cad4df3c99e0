#pragma once
// What a compiled lookup's leaf holds: resolve_in_tables()'s decision for its addresses, and the
// lengths of the routes that made it, so that a route change can patch a trie in place
// (compiler/fib_patch.h) knowing which addresses the changed route decides.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string_view>

#include "compiler/tables.h"

namespace xpeer {

// No route in the VPC's own table: results[0] of every trie.
xp_fib_result no_route_leaf();
// The VPC's own route of length own_len decides without a crossing: a vSwitch, a reserved
// address, or a route that cannot cross (a peering the VPC is not part of, an unknown kind).
xp_fib_result own_leaf(const xp_route& r, uint8_t own_len);
// The VPC's peering route of length own_len crossed `link`; peer_route (of length peer_len) is
// the peer VPC's longest match, or null.
xp_fib_result crossed_leaf(uint32_t link, const xp_route* peer_route, uint8_t peer_len, uint8_t own_len);
// A leaf of the peer's own trie read as what its table says after a crossing into it.
xp_fib_result crossed_leaf(uint32_t link, const xp_fib_result& peer_leaf, uint8_t own_len);
// The decision alone, as the router and resolve_in_tables() see it.
xp_fib_result decision_of(xp_fib_result leaf);

// A leaf's bytes, to find leaves that hold the same.
using LeafBytes = std::array<uint8_t, sizeof(xp_fib_result)>;
inline LeafBytes bytes_of(const xp_fib_result& r) {
    LeafBytes b;
    std::memcpy(b.data(), &r, sizeof(r));
    return b;
}
struct LeafBytesHash {
    size_t operator()(const LeafBytes& b) const {
        return std::hash<std::string_view>{}({reinterpret_cast<const char*>(b.data()), b.size()});
    }
};

// The link a peering route of `vpc` crosses and the VPC on its other side, or nullopt when the
// slot is free or not this VPC's connection.
struct Crossing {
    uint32_t link = XP_NO_LINK;
    uint32_t peer = 0;
};
std::optional<Crossing> crossing_of(const Table<uint32_t, xp_peering>& peerings, uint32_t vpc, uint32_t slot);

}  // namespace xpeer
