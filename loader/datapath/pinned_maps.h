#pragma once
// The maps pinned under a bpffs folder as the kernel describes them: layout and, from their BTF,
// the value's members (what `xpeer --operator upgrade` plans with).
#include <string>
#include <vector>

#include "datapath/map_migration.h"

namespace xpeer {

// The map behind fd, named `name`; its fields when it carries BTF for its value.
PinnedMap describe_map(int fd, const std::string& name);
// Every map pinned directly in dir (programs, links and folders aside), by name.
std::vector<PinnedMap> pinned_maps(const std::string& dir);

}  // namespace xpeer
