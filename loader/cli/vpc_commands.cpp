// `xpeer vpc ...`: VPCs, their sharing with principal accounts, and their removal.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/noun_commands.h"
#include "cli/vpc_removal.h"
#include "model/errors.h"

namespace xpeer {
namespace {

void add_create(CLI::App* vpc, Globals& g, Action& action) {
    auto spec = std::make_shared<VpcSpec>();
    auto* create = vpc->add_subcommand("create", "create a VPC; prints its id");
    create->add_option("--cidr", spec->cidr, "IPv4 CIDR block, /8 to /28")->required();
    create->add_option("--ipv6-cidr", spec->ipv6_cidr, "IPv6 CIDR block, /8 to /64");
    create->add_option("--region", spec->region, "region id (see `xpeer region list`)")->capture_default_str();
    create->add_option("--name", spec->name, "a name");
    create->callback([&g, &action, spec] {
        action = [&g, spec](Controller& c) {
            auto v = c.create_vpc(*spec);
            print_one(g, v, v.id);
        };
    });
}

void add_list_show_and_delete(CLI::App* vpc, Globals& g, Action& action) {
    auto recursive = std::make_shared<bool>(false);
    CLI::App* del = nullptr;
    add_list_show_delete<Vpc>(
        vpc, g, action, "VpcId", vpc_ref, [](Controller& c) { return c.list_vpcs(); },
        [](Controller& c, const std::string& id) { return c.show_vpc(id); },
        [&g, recursive](Controller& c, const std::string& id) {
            if (!*recursive) return c.delete_vpc(id);
            if (g.dry_run)
                throw errors::invalid_parameter_dry_run(
                    "vpc delete --recursive runs one command a step, which a dry run cannot chain; "
                    "`vpc delete " +
                    id + " --dry-run` names what is in the VPC");
            vpc_removal::run(c, vpc_removal::plan(c, g.config.account, id), [&g](const vpc_removal::Step& s) {
                if (!g.json && s.kind != vpc_removal::Step::Kind::DeleteVpc) std::cout << vpc_removal::describe(s) << '\n';
            });
        },
        &del);
    del->add_flag("--recursive", *recursive,
                  "also delete its route entries, peering connections (with their route entries at both ends), instances and vSwitches");
}

void add_modify(CLI::App* vpc, Globals& g, Action& action) {
    auto id = std::make_shared<std::string>();
    auto change = std::make_shared<VpcChange>();
    auto* modify = vpc->add_subcommand("modify", "rename a VPC, or add an IPv6 CIDR block to one that has none");
    modify->add_option("vpc", *id, "the VPC (yours)")->required();
    modify->add_option("--name", change->name, "a name");
    modify->add_option("--ipv6-cidr", change->ipv6_cidr, "IPv6 CIDR block, /8 to /64 (one a VPC)");
    modify->callback([&g, &action, id, change] {
        action = [&g, id, change](Controller& c) { print_details(g, c.modify_vpc(vpc_ref(c, g, *id), *change)); };
    });
}

// share, unshare and principals: the accounts that may create vSwitches and instances in a VPC.
void add_sharing(CLI::App* vpc, Globals& g, Action& action) {
    auto id = std::make_shared<std::string>();
    auto principal = std::make_shared<AccountId>(0);
    auto* share = vpc->add_subcommand("share", "share a VPC with a principal account: it may create vSwitches and instances in it");
    auto* unshare = vpc->add_subcommand("unshare", "stop sharing a VPC with a principal account");
    for (auto* cmd : {share, unshare}) {
        cmd->add_option("vpc", *id, "the VPC (yours)")->required();
        cmd->add_option("--account", *principal, "the principal's account UID")->required();
    }
    share->callback([&g, &action, id, principal] {
        action = [&g, id, principal](Controller& c) {
            *id = vpc_ref(c, g, *id);
            c.share_vpc(*id, *principal);
            print_one(g, nlohmann::json{{"VpcId", *id}, {"SharedWith", *principal}},
                      *id + " shared with account " + std::to_string(*principal));
        };
    });
    unshare->callback([&g, &action, id, principal] {
        action = [&g, id, principal](Controller& c) {
            *id = vpc_ref(c, g, *id);
            c.unshare_vpc(*id, *principal);
            print_one(g, nlohmann::json{{"VpcId", *id}, {"UnsharedWith", *principal}},
                      *id + " no longer shared with account " + std::to_string(*principal));
        };
    });
    auto* principals = vpc->add_subcommand("principals", "the accounts a VPC is shared with");
    principals->add_option("vpc", *id, "the VPC")->required();
    principals->callback([&g, &action, id] {
        action = [&g, id](Controller& c) {
            auto accounts = c.vpc_principals(vpc_ref(c, g, *id));
            std::string plain;
            for (auto a : accounts) plain += (plain.empty() ? "" : "\n") + std::to_string(a);
            print_one(g, nlohmann::json(accounts), plain);
        };
    });
}

}  // namespace

void add_vpc(CLI::App& app, Globals& g, Action& action) {
    auto* vpc = app.add_subcommand("vpc", "VPCs: isolated networks, one namespace each")->require_subcommand(1);
    add_create(vpc, g, action);
    add_list_show_and_delete(vpc, g, action);
    add_modify(vpc, g, action);
    add_sharing(vpc, g, action);
}

}  // namespace xpeer
