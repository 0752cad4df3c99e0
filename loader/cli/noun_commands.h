#pragma once
// What the commands of a noun (vpc, vswitch, peering, ...) share: references by id or name, and
// the list | show | delete trio.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/name_refs.h"

namespace xpeer {

// The id a reference (an id, or a name where the kind has names) stands for, as the caller.
using Ref = std::function<std::string(Controller&, const Globals&, const std::string&)>;
inline const Ref by_id = [](Controller&, const Globals&, const std::string& id) { return id; };
inline const Ref vpc_ref = [](Controller& c, const Globals& g, const std::string& r) { return name_refs::vpc(c, g.config.account, r); };
inline const Ref vswitch_ref = [](Controller& c, const Globals& g, const std::string& r) {
    return name_refs::vswitch(c, g.config.account, r);
};
inline const Ref peering_ref = [](Controller& c, const Globals& g, const std::string& r) {
    return name_refs::peering(c, g.config.account, r);
};

// list | show ID | delete ID for one noun (ID: what ref resolves); a delete prints {id_field: ID}
// (the field of the id in the noun's JSON).
template <typename T>
void add_list_show_delete(CLI::App* noun, Globals& g, Action& action, const char* id_field, Ref ref,
                          std::function<std::vector<T>(Controller&)> list, std::function<T(Controller&, const std::string&)> show,
                          std::function<void(Controller&, const std::string&)> del, CLI::App** delete_cmd = nullptr) {
    noun->add_subcommand("list", "list them")->callback([&g, &action, list] {
        action = [&g, list](Controller& c) { print_list(g, list(c)); };
    });
    auto* sh = noun->add_subcommand("show", "show one");
    auto id = std::make_shared<std::string>();
    sh->add_option("id", *id, "its id")->required();
    sh->callback(
        [&g, &action, ref, show, id] { action = [&g, ref, show, id](Controller& c) { print_details(g, show(c, ref(c, g, *id))); }; });
    auto* d = noun->add_subcommand("delete", "delete one");
    auto did = std::make_shared<std::string>();
    d->add_option("id", *did, "its id")->required();
    d->callback([&g, &action, id_field, ref, del, did] {
        action = [&g, id_field, ref, del, did](Controller& c) {
            *did = ref(c, g, *did);
            del(c, *did);
            print_one(g, nlohmann::json{{id_field, *did}}, *did + " deleted");
        };
    });
    if (delete_cmd) *delete_cmd = d;
}

}  // namespace xpeer
