#pragma once
// The SQLite store's schema, as the steps that built it: kSteps[v] takes a store of version v to
// version v + 1 (kSteps[0] creates an empty one). A new version is a new step at the end.
#include <array>

namespace xpeer::schema {

extern const std::array<const char*, 8> kSteps;

}  // namespace xpeer::schema
