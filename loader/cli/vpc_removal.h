#pragma once
// `vpc delete --recursive`: a VPC with everything in it, removed in the order the rules allow.
#include <functional>
#include <string>
#include <vector>

#include "controller/controller.h"

namespace xpeer::vpc_removal {

struct Step {
    enum class Kind { DeleteRoute, RejectPeering, DeletePeering, DeleteInstance, DeleteVSwitch, DeleteVpc } kind;
    std::string id;
};

// What removing the VPC takes, in order: the route entries of its table; its live peering
// connections, at either end (a request to it rejected first), each deleted with the route entries
// that use it at both ends; the instances of its vSwitches; its vSwitches; the VPC. `caller` is
// the account running the command.
std::vector<Step> plan(Controller& c, AccountId caller, const std::string& vpc_id);

// Runs each step as its own command, calling done after each. On a refusal or failure the error
// names the step, and what the earlier steps removed stays removed: running it again continues.
void run(Controller& c, const std::vector<Step>& steps, const std::function<void(const Step&)>& done);

std::string describe(const Step& step);  // "route entry rte-… deleted"

}  // namespace xpeer::vpc_removal
