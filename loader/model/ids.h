#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace xpeer {

// A new resource id, cloud style: prefix + "-" + 16 random [a-z0-9] characters
// (e.g. "vpc-0x4k2m9q7c1d8e5f"), drawn again while `taken` says the id is in use.
std::string new_id(std::string_view prefix, const std::function<bool(const std::string&)>& taken);

}  // namespace xpeer
