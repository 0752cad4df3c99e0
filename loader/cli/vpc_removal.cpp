#include "cli/vpc_removal.h"

#include "model/errors.h"

namespace xpeer::vpc_removal {

std::vector<Step> plan(Controller& c, AccountId caller, const std::string& vpc_id) {
    using K = Step::Kind;
    const Vpc vpc = c.show_vpc(vpc_id);
    if (vpc.account != caller)
        throw errors::forbidden_shared_vpc(vpc_id + " is shared with you, not yours: only its owner may delete it with what is in it");
    std::vector<Step> steps;
    for (const auto& r : c.list_routes(vpc_id)) steps.push_back({K::DeleteRoute, r.id});
    for (const auto& p : c.list_peerings()) {
        if (p.status == PeeringStatus::Deleted || (p.vpc_id != vpc_id && p.peer_vpc_id != vpc_id)) continue;
        if (p.status == PeeringStatus::PeerAccepting && p.peer_vpc_id == vpc_id) steps.push_back({K::RejectPeering, p.id});
        steps.push_back({K::DeletePeering, p.id});
    }
    const auto vswitches = c.list_vswitches(vpc_id);
    for (const auto& v : vswitches)
        for (const auto& i : c.list_instances(v.id)) steps.push_back({K::DeleteInstance, i.id});
    for (const auto& v : vswitches) steps.push_back({K::DeleteVSwitch, v.id});
    steps.push_back({K::DeleteVpc, vpc_id});
    return steps;
}

void run(Controller& c, const std::vector<Step>& steps, const std::function<void(const Step&)>& done) {
    using K = Step::Kind;
    for (const auto& s : steps) {
        try {
            switch (s.kind) {
                case K::DeleteRoute:
                    c.delete_route(s.id);
                    break;
                case K::RejectPeering:
                    c.reject_peering(s.id);
                    break;
                case K::DeletePeering:
                    c.delete_peering(s.id, true);
                    break;
                case K::DeleteInstance:
                    c.delete_instance(s.id);
                    break;
                case K::DeleteVSwitch:
                    c.delete_vswitch(s.id);
                    break;
                case K::DeleteVpc:
                    c.delete_vpc(s.id);
                    break;
            }
        } catch (const Error& e) {
            throw Error(e.code(),
                        std::string(e.what()) + " (vpc delete --recursive stopped at " + s.id + "; the steps before it stay done)");
        }
        done(s);
    }
}

std::string describe(const Step& s) {
    using K = Step::Kind;
    switch (s.kind) {
        case K::DeleteRoute:
            return "route entry " + s.id + " deleted";
        case K::RejectPeering:
            return "peering connection " + s.id + " rejected";
        case K::DeletePeering:
            return "peering connection " + s.id + " deleted with its route entries";
        case K::DeleteInstance:
            return "instance " + s.id + " deleted";
        case K::DeleteVSwitch:
            return "vSwitch " + s.id + " deleted";
        case K::DeleteVpc:
            return s.id + " deleted";
    }
    return s.id;
}

}  // namespace xpeer::vpc_removal
