// What an account may do and how much: shared VPCs, quotas, client tokens.
#include <algorithm>

#include "controller/controller.h"
#include "controller/quotas.h"
#include "model/errors.h"

namespace xpeer {

void Controller::share_vpc(const std::string& id, AccountId principal) {
    transact([&] {
        Vpc vpc = owned_vpc(id, "share it");
        if (principal == vpc.account) throw errors::invalid_principal_owner("account " + std::to_string(principal) + " owns " + id);
        store_.ensure_account(principal);
        store_.share(id, principal);
        record(Event{wall_time(), id, "Shared", config_.account, "shared with account " + std::to_string(principal)});
    });
}

void Controller::unshare_vpc(const std::string& id, AccountId principal) {
    transact([&] {
        Vpc vpc = owned_vpc(id, "unshare it");
        auto principals = store_.principals(id);
        if (std::ranges::find(principals, principal) == principals.end())
            throw errors::invalid_principal_not_found(id + " is not shared with account " + std::to_string(principal));
        for (const auto& vsw : store_.vswitches_of(id)) {
            bool theirs = vsw.account == principal;
            for (const auto& inst : store_.instances_of(vsw.id)) theirs = theirs || inst.account == principal;
            if (theirs)
                throw errors::dependency_violation_shared_resource("account " + std::to_string(principal) + " still has resources in " +
                                                                   id + " (on " + vsw.id +
                                                                   "); they must be deleted before the VPC is unshared");
        }
        store_.unshare(id, principal);
        record(Event{wall_time(), id, "Unshared", config_.account, "no longer shared with account " + std::to_string(principal)});
    });
}

std::vector<AccountId> Controller::vpc_principals(const std::string& id) { return store_.principals(usable_vpc(id).id); }

void Controller::check_operator(const std::string& what) const {
    if (!config_.is_operator)
        throw errors::forbidden_operator("only the host's operator (--operator) may " + what + "; account " +
                                         std::to_string(config_.account) + " is a tenant");
}

std::vector<QuotaValue> Controller::list_quotas(std::optional<AccountId> account) {
    const AccountId of = account.value_or(config_.account);
    if (of != config_.account) check_operator("see another account's quotas");
    std::vector<QuotaValue> out;
    for (const auto& q : quotas::all()) out.push_back(QuotaValue{q.name, q.description, q.default_value, quota(q.name, of), q.unit});
    return out;
}

QuotaValue Controller::set_quota(AccountId account, const std::string& name, int64_t value) {
    check_operator("set quotas");
    const auto& q = quotas::find(name);
    quotas::check_value(q, value);
    return transact([&] {
        int64_t was = quota(q.name, account);
        store_.ensure_account(account);
        store_.set_quota(account, q.name, value);
        // the account's event: it sees its quotas change
        record(Event{wall_time(), q.name, "Set", account, "by the operator: " + std::to_string(was) + " -> " + std::to_string(value)});
        return QuotaValue{q.name, q.description, q.default_value, value, q.unit};
    });
}

std::optional<std::string> Controller::replayed(const std::string& kind, const std::string& request) {
    if (!client_token_) return std::nullopt;
    const std::string& token = *client_token_;
    if (token.empty() || token.size() > 64 || !std::ranges::all_of(token, [](char c) { return c > 32 && c < 127; }))
        throw errors::invalid_client_token_malformed("a client token is 1 to 64 printable ASCII characters without spaces");
    auto t = store_.client_token(config_.account, token);
    if (!t) return std::nullopt;
    if (t->kind != kind || t->request != request)
        throw errors::idempotent_parameter_mismatch("client token '" + token + "' was first used for another request (" + t->kind + " " +
                                                    t->resource_id + "); a retry must repeat the same parameters");
    auto peering = kind == "peering" ? store_.find_peering(t->resource_id) : std::nullopt;
    bool exists = (kind == "vpc" && store_.find_vpc(t->resource_id)) || (kind == "vswitch" && store_.find_vswitch(t->resource_id)) ||
                  (kind == "instance" && store_.find_instance(t->resource_id)) || (peering && peering->status != PeeringStatus::Deleted) ||
                  (kind == "route" && store_.find_route(t->resource_id));
    if (!exists)
        throw errors::incorrect_status_client_token("client token '" + token + "' created " + t->resource_id +
                                                    ", which has since been deleted");
    warnings_.push_back("client token '" + token + "' was used before: " + t->resource_id + " is what the first request created");
    return t->resource_id;
}

void Controller::remember_token(const std::string& kind, const std::string& request, const std::string& id) {
    if (client_token_) store_.insert(ClientToken{config_.account, *client_token_, kind, request, id});
}

}  // namespace xpeer
