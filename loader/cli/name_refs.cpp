#include "cli/name_refs.h"

#include "model/errors.h"

namespace xpeer::name_refs {

std::string resolve(const std::string& ref, const std::string& id_prefix, const std::string& kind, const std::vector<Named>& candidates) {
    if (ref.rfind(id_prefix, 0) == 0) return ref;
    std::vector<std::string> matches;
    for (const auto& c : candidates)
        if (!c.name.empty() && c.name == ref) matches.push_back(c.id);
    if (matches.empty())
        throw errors::invalid_name_not_found("no " + kind + " of yours is named " + ref + ", and it is not a " + kind + " id (" +
                                             id_prefix + "…)");
    if (matches.size() > 1) {
        std::string ids;
        for (const auto& id : matches) ids += (ids.empty() ? "" : ", ") + id;
        throw errors::invalid_name_ambiguous(std::to_string(matches.size()) + " of your " + kind + "s are named " + ref + " (" + ids +
                                             "): give the id");
    }
    return matches.front();
}

std::string vpc(Controller& c, AccountId caller, const std::string& ref) {
    if (ref.rfind("vpc-", 0) == 0) return ref;  // no listing for an id
    std::vector<Named> owned;
    for (const auto& v : c.list_vpcs())
        if (v.account == caller) owned.push_back({v.id, v.name});
    return resolve(ref, "vpc-", "VPC", owned);
}

std::string vswitch(Controller& c, AccountId caller, const std::string& ref) {
    if (ref.rfind("vsw-", 0) == 0) return ref;
    std::vector<Named> owned;
    for (const auto& v : c.list_vswitches(std::nullopt))
        if (v.account == caller) owned.push_back({v.id, v.name});
    return resolve(ref, "vsw-", "vSwitch", owned);
}

std::string peering(Controller& c, AccountId caller, const std::string& ref) {
    if (ref.rfind("pcc-", 0) == 0) return ref;
    std::vector<Named> live;
    for (const auto& p : c.list_peerings())
        if ((p.account == caller || p.peer_account == caller) && p.status != PeeringStatus::Deleted) live.push_back({p.id, p.name});
    return resolve(ref, "pcc-", "peering connection", live);
}

}  // namespace xpeer::name_refs
