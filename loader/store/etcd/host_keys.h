#pragma once
// What the hosts' agents write beside the desired state, as text: a link direction's name in
// their keys ("PCC/0") and a host's published demand (docs/ETCD.md).
#include <optional>
#include <string>

#include "model/host_demand.h"

namespace xpeer::etcd {

std::string link_name(const LinkKey& link);
std::optional<LinkKey> link_of_name(const std::string& name);

// A host's demand as its agent published it; nullopt if anything in it is not what an agent
// writes (a time or lease that is no whole number of milliseconds in range, a demand that is no
// finite number of bytes per second): that host counts as not heard from. Without interval_ms
// (the build before it), as running every half lease.
std::optional<HostDemand> demand_of(const std::string& text);
std::string demand_text(const HostDemand& demand);

}  // namespace xpeer::etcd
