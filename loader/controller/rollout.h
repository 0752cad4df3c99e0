#pragma once
// Among hosts, a peering's change is done when every host that carries it has programmed it: the
// hosts with a vSwitch of either VPC, each reporting the store revision its kernel follows. Until
// then the peering is Updating, and these say who it waits for.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/model.h"
#include "store/store.h"

namespace xpeer::rollout {

// The hosts with a vSwitch of either of the peering's VPCs, by name, each once.
std::vector<std::string> carriers(const Snapshot& s, const Peering& p);

// A carrier whose kernel does not follow `revision` yet.
struct Lag {
    std::string host;
    int64_t programmed = 0;  // the revision it follows; 0: never reported
    bool alive = false;      // its lease is held
};

// The carriers that have not programmed `revision`, in the carriers' order.
std::vector<Lag> lagging(const std::vector<std::string>& carriers, const std::map<std::string, HostPresence>& presence, int64_t revision);

// "h3 (programmed revision 41 of 45), h2 (lease expired, never programmed)".
std::string describe(const std::vector<Lag>& lags, int64_t revision);

}  // namespace xpeer::rollout
