#pragma once
#include <vector>

#include "model/model.h"

namespace xpeer {

// Which of a snapshot's objects this host's kernel holds. One machine (no hosts) holds them all;
// among hosts, a vSwitch lives on its own host, and a VPC's namespace is made on the hosts that
// carry one of its vSwitches. The rest is reached through tunnels (compiler.h).
bool is_here(const VSwitch& vsw, const LocalHost& local);
std::vector<VSwitch> vswitches_here(const Snapshot& s);
std::vector<Vpc> vpcs_here(const Snapshot& s);

}  // namespace xpeer
