#pragma once
#include <array>
#include <cstdint>

namespace xpeer {

// A peering connection carries traffic in two directions, each with its own counters, policer
// and bill. A is the requester's VPC, B the accepter's.
enum class Direction : uint8_t { AToB = 0, BToA = 1 };
inline constexpr std::array<Direction, 2> kDirections{Direction::AToB, Direction::BToA};

// As the store's rows and the metrics' labels number and name them.
inline constexpr int to_int(Direction d) { return static_cast<int>(d); }
inline constexpr Direction direction_of(int64_t i) { return i == 0 ? Direction::AToB : Direction::BToA; }
inline constexpr const char* label(Direction d) { return d == Direction::AToB ? "a_to_b" : "b_to_a"; }

}  // namespace xpeer
