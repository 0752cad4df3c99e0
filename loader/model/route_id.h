#pragma once
// Route entry ids are derived from the store's integer key of the route, so that the store keeps
// no index of them (a 100k-route import writes one index less). They look like any other id:
// "rte-" + 16 [a-z0-9] characters, 3 of check and 13 of the salted key mixed by a bijection.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xpeer {

// salt: the store's own (meta route_id_salt), so that an id says nothing of how many routes the
// store has made, and another store's ids do not decode in this one.
std::string route_id_of(uint64_t key, uint64_t salt);

// The key `id` was derived from; nullopt if it was not derived from one (an id the store keeps as
// given: routes from before schema 5, and ids a caller chose).
std::optional<uint64_t> route_key_of(std::string_view id, uint64_t salt);

}  // namespace xpeer
