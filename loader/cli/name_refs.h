#pragma once
// Names wherever ids are: a reference to a VPC, vSwitch or peering connection is its id, or the
// name of one of the caller's own resources of that kind.
#include <string>
#include <vector>

#include "controller/controller.h"

namespace xpeer::name_refs {

struct Named {
    std::string id;
    std::string name;
};

// ref itself if it is an id of the kind (it starts with id_prefix, e.g. "vpc-"); otherwise the id
// of the one candidate named ref. Error("InvalidName.NotFound") if none is, and
// Error("InvalidName.Ambiguous"), naming every match's id, if several are. `kind` names the kind
// in messages ("VPC").
std::string resolve(const std::string& ref, const std::string& id_prefix, const std::string& kind, const std::vector<Named>& candidates);

// Against what the caller owns: its VPCs (not those shared with it), the vSwitches it created,
// the connections it requested or accepts that are not Deleted.
std::string vpc(Controller& c, AccountId caller, const std::string& ref);
std::string vswitch(Controller& c, AccountId caller, const std::string& ref);
std::string peering(Controller& c, AccountId caller, const std::string& ref);

}  // namespace xpeer::name_refs
