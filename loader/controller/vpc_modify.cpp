#include "controller/controller.h"
#include "controller/lifecycle.h"
#include "controller/names.h"
#include "controller/rules.h"
#include "model/errors.h"

namespace xpeer {

Vpc Controller::modify_vpc(const std::string& id, const VpcChange& change) {
    if (!change.name && !change.ipv6_cidr) throw errors::missing_parameter("vpc modify needs at least one of --name, --ipv6-cidr");
    if (change.name) names::check_name(errors::Kind::Vpc, *change.name);
    std::optional<Cidr> ipv6;
    if (change.ipv6_cidr) {
        ipv6 = Cidr::parse(*change.ipv6_cidr);
        rules::check_vpc_ipv6_cidr(*ipv6);
    }
    return transact([&] {
        Vpc vpc = owned_vpc(id, "modify it");
        std::string what;
        if (ipv6) {
            if (vpc.ipv6_cidr)
                throw errors::invalid_ipv6_cidr_block_vpc_has_ipv6(vpc.id + " already has IPv6 CIDR block " + vpc.ipv6_cidr->str() +
                                                                   "; a VPC has one at most, and it is not replaced");
            // As at peering create: an overlap with a connected VPC's block is warned of, not refused.
            for (const auto& p : store_.live_peerings_of(vpc.id)) {
                if (lifecycle::is_terminal(p.status)) continue;  // Rejected and Expired connections never route
                auto peer = store_.find_vpc(p.vpc_id == vpc.id ? p.peer_vpc_id : p.vpc_id);
                if (!peer) continue;
                for (auto& w : rules::check_added_ipv6_cidr(vpc, *ipv6, *peer, peer->account == config_.account))
                    warnings_.push_back(std::move(w));
            }
            what += " IPv6 CIDR block " + ipv6->str() + " added;";
            vpc.ipv6_cidr = ipv6;
        }
        if (change.name) {
            what += " name '" + vpc.name + "' -> '" + *change.name + "';";
            vpc.name = *change.name;
        }
        what.pop_back();
        store_.update_vpc(vpc);
        record(Event{wall_time(), vpc.id, "Modified", config_.account, "modified:" + what});
        return vpc;
    });
}

}  // namespace xpeer
