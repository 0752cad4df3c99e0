// `xpeer peering ...`: the seed's lifecycle of a VPC peering connection.
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/noun_commands.h"
#include "cli/time_args.h"
#include "controller/lifecycle.h"

namespace xpeer {
namespace {

void add_create(CLI::App* pcc, Globals& g, Action& action) {
    auto spec = std::make_shared<PeeringSpec>();
    auto* create = pcc->add_subcommand("create", "request a peering connection; prints its id");
    create->add_option("--vpc", spec->vpc_id, "the requester VPC (yours)")->required();
    create->add_option("--peer-vpc", spec->peer_vpc_id, "the accepter VPC")->required();
    create->add_option("--peer-account", spec->peer_account, "the accepter's account (default: yours)");
    create->add_option("--peer-region", spec->peer_region, "the accepter VPC's region (checked)");
    auto bandwidth = std::make_shared<std::optional<std::string>>();
    create->add_option("--bandwidth", *bandwidth, "Mbps; -1 = unlimited (intra-region default)");
    create->add_option("--link-type", spec->link_type, "Gold or Platinum (inter-region only)")->check(CLI::IsMember({"Gold", "Platinum"}));
    create->add_option("--name", spec->name, "a name");
    create->add_option("--description", spec->description, "a description");
    create->callback([&g, &action, spec, bandwidth] {
        action = [&g, spec, bandwidth](Controller& c) {
            if (*bandwidth) spec->bandwidth_mbps = lifecycle::parse_bandwidth(**bandwidth);
            spec->vpc_id = vpc_ref(c, g, spec->vpc_id);
            spec->peer_vpc_id = vpc_ref(c, g, spec->peer_vpc_id);
            auto p = c.create_peering(*spec);
            print_one(g, p, p.id);
        };
    });
}

void add_list_show_and_delete(CLI::App* pcc, Globals& g, Action& action) {
    auto force = std::make_shared<bool>(false);
    auto all = std::make_shared<bool>(false);
    CLI::App* del = nullptr;
    add_list_show_delete<Peering>(
        pcc, g, action, "InstanceId", peering_ref,
        [all](Controller& c) {
            auto ps = c.list_peerings();
            if (!*all) std::erase_if(ps, [](const Peering& p) { return p.status == PeeringStatus::Deleted; });
            return ps;
        },
        [](Controller& c, const std::string& id) { return c.show_peering(id); },
        [force](Controller& c, const std::string& id) { c.delete_peering(id, *force); }, &del);
    del->add_flag("--force", *force, "also delete the route entries that use it, at both ends");
    pcc->get_subcommand("list")->add_flag("--all", *all, "Deleted connections too");
}

// accept and reject: the accepter's answer to a request.
void add_answers(CLI::App* pcc, Globals& g, Action& action) {
    using Answer = Peering (Controller::*)(const std::string&);
    for (const auto& verb_answer :
         {std::pair<const char*, Answer>{"accept", &Controller::accept_peering}, {"reject", &Controller::reject_peering}}) {
        const char* verb = verb_answer.first;
        const Answer answer = verb_answer.second;  // a variable: clang 14 captures no structured binding
        auto id = std::make_shared<std::string>();
        auto* cmd = pcc->add_subcommand(verb, std::string(verb) + " a request to one of your VPCs (accepter only)");
        cmd->add_option("id", *id, "the peering connection")->required();
        cmd->callback([&g, &action, id, answer] {
            action = [&g, id, answer](Controller& c) {
                auto p = (c.*answer)(peering_ref(c, g, *id));
                print_one(g, p, p.id + " " + to_string(p.status));
            };
        });
    }
}

void add_modify(CLI::App* pcc, Globals& g, Action& action) {
    auto id = std::make_shared<std::string>();
    auto change = std::make_shared<PeeringChange>();
    auto* modify = pcc->add_subcommand("modify", "change a connection's name, description, bandwidth or link type");
    modify->add_option("id", *id, "the peering connection")->required();
    modify->add_option("--name", change->name, "a name");
    modify->add_option("--description", change->description, "a description");
    auto bandwidth = std::make_shared<std::optional<std::string>>();
    modify->add_option("--bandwidth", *bandwidth, "Mbps; -1 = unlimited (intra-region only)");
    modify->add_option("--link-type", change->link_type, "Gold or Platinum (inter-region only)");
    modify->callback([&g, &action, id, change, bandwidth] {
        action = [&g, id, change, bandwidth](Controller& c) {
            if (*bandwidth) change->bandwidth_mbps = lifecycle::parse_bandwidth(**bandwidth);
            print_details(g, c.modify_peering(peering_ref(c, g, *id), *change));
        };
    });
}

void add_wait(CLI::App* pcc, Globals& g, Action& action) {
    auto id = std::make_shared<std::string>();
    auto status = std::make_shared<std::string>();
    auto timeout = std::make_shared<std::string>("30s");
    auto* wait = pcc->add_subcommand("wait", "wait until a connection reaches a status");
    wait->add_option("id", *id, "the peering connection")->required();
    wait->add_option("--status", *status, "e.g. Activated, \"Peer Accepting\", Deleted")->required();
    wait->add_option("--timeout", *timeout, "give up after this long (500ms, 30s, 2m)")->capture_default_str();
    wait->callback([&g, &action, id, status, timeout] {
        action = [&g, id, status, timeout](Controller& c) {
            auto p = c.wait_peering(peering_ref(c, g, *id), peering_status_from_string(*status), time_args::parse_duration(*timeout));
            print_one(g, p, p.id + " " + to_string(p.status));
        };
    });
}

}  // namespace

void add_peering(CLI::App& app, Globals& g, Action& action) {
    auto* pcc = app.add_subcommand("peering", "VPC peering connections")->require_subcommand(1);
    add_create(pcc, g, action);
    add_list_show_and_delete(pcc, g, action);
    add_answers(pcc, g, action);
    add_modify(pcc, g, action);
    add_wait(pcc, g, action);
}

}  // namespace xpeer
