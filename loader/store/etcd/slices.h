#pragma once
// Which hosts a commit concerns: those whose kernel holds something its rows change. A host's
// slice is the VPCs it carries (a vSwitch there) and the VPCs peered with them (a packet's second
// lookup is in the peer's table); a commit writes the slice key of each host it concerns, and an
// agent watches its own key only (docs/ETCD.md).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/etcd/kernel_lag.h"

namespace xpeer::slices {

// The store as the commit leaves it.
struct Lookup {
    // The host a vSwitch lives on ("" for none named); nullopt: no such vSwitch.
    std::function<std::optional<std::string>(const std::string& vswitch_id)> host_of_vswitch;
    std::function<std::set<std::string>(const std::string& vpc_id)> peers_of;     // the other ends of its live connections
    std::function<std::set<std::string>(const std::string& vpc_id)> carriers_of;  // the hosts with a vSwitch of it
};

// The lookups answered by a store's rows.
Lookup lookup_in(Store& store);

// The host of a vSwitch in the store, or as `changes` found it if they delete it ("" for none named).
std::optional<std::string> host_of(const std::string& vswitch_id, const std::vector<kernel_lag::RowChange>& changes, const Lookup& lookup);

struct Concerned {
    bool every_host = false;  // the tunnels (a host's row), a shared setting, a table this build does not know
    std::set<std::string> hosts;
};

// changes: each row the commit writes, as it was (nullopt: new) and as it is (nullopt: deleted).
Concerned concerned(const std::vector<kernel_lag::RowChange>& changes, const Lookup& lookup);

}  // namespace xpeer::slices
