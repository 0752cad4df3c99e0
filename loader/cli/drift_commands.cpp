// `xpeer check`, `xpeer reconcile` and `xpeer upgrade`: the kernel against the store and this build.
#include "cli/commands.h"
#include "model/errors.h"

namespace xpeer {
namespace {

nlohmann::json differences_json(const std::vector<Difference>& ds) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& d : ds) j.push_back({{"Object", d.object}, {"Problem", d.problem}});
    return j;
}

void print_differences(const std::vector<Difference>& ds) {
    for (const auto& d : ds) std::cout << d.object << ": " << d.problem << '\n';
}

Error drift_error(size_t n, const std::string& what) {
    return errors::drift_found(std::to_string(n) + " difference(s) between the store and the kernel " + what);
}

}  // namespace

void add_drift(CLI::App& app, Globals& g, Action& action) {
    app.add_subcommand("upgrade", "the operator's: this build's programs in place of the running ones, maps carried over, no packet lost")
        ->callback([&g, &action] {
            g.recover = false;  // this build opens no pins of another layout; the upgrade writes every map from the store
            action = [&g](Controller& c) {
                auto r = c.upgrade();
                if (g.dry_run) return;
                if (g.json) {
                    nlohmann::json maps = nlohmann::json::array();
                    for (const auto& m : r.maps)
                        maps.push_back({{"Name", m.name}, {"Action", m.action}, {"Detail", m.detail}, {"Elements", m.elements}});
                    std::cout << nlohmann::json{{"OldRouterProgramId", r.old_router_id},
                                                {"RouterProgramId", r.new_router_id},
                                                {"Swapped", r.swapped},
                                                {"Attached", r.attached},
                                                {"Resumed", r.resumed},
                                                {"Maps", maps}}
                                     .dump(2)
                              << '\n';
                    return;
                }
                size_t kept = 0;
                for (const auto& m : r.maps) kept += m.action == "kept";
                std::cout << "router program " << r.old_router_id << " -> " << r.new_router_id << ": swapped on " << r.swapped
                          << " link end(s)" << (r.attached ? ", attached on " + std::to_string(r.attached) + " that ran another" : "")
                          << (kept == r.maps.size() ? "; maps kept"
                                                    : "; maps: " + std::to_string(kept) + " of " + std::to_string(r.maps.size()) + " kept")
                          << (r.resumed ? "; finished an interrupted upgrade" : "") << '\n';
                for (const auto& m : r.maps) {
                    std::cout << "  " << m.name << ": " << m.action;
                    if (m.action == "migrated") std::cout << " with " << m.elements << " element(s) carried over";
                    std::cout << (m.detail.empty() ? "" : " (" + m.detail + ")") << '\n';
                }
            };
        });
    app.add_subcommand("check", "compare the store with the namespaces, links, rules and maps; exit 1 on drift")->callback([&g, &action] {
        g.recover = false;  // it reports an interrupted command's mark as it finds it
        action = [&g](Controller& c) {
            auto found = c.check();
            if (g.json)
                std::cout << nlohmann::json{{"InSync", found.empty()}, {"Differences", differences_json(found)}}.dump(2) << '\n';
            else if (found.empty())
                std::cout << "in sync: the kernel holds what the store says\n";
            else
                print_differences(found);
            if (!found.empty()) throw drift_error(found.size(), "; `xpeer reconcile` repairs them");
        };
    });
    app.add_subcommand("reconcile", "repair every difference between the store and the kernel (after a reboot, a killed command, drift)")
        ->callback([&g, &action] {
            g.recover = false;  // it repairs everything anyway
            action = [&g](Controller& c) {
                auto r = c.reconcile();
                if (g.dry_run) return;
                if (g.json) {
                    std::cout << nlohmann::json{{"Repaired", differences_json(r.found)},
                                                {"MapEntries",
                                                 {{"Added", r.maps.added}, {"Changed", r.maps.changed}, {"Removed", r.maps.removed}}},
                                                {"Remaining", differences_json(r.remaining)}}
                                     .dump(2)
                              << '\n';
                } else {
                    std::cout << "repaired " << r.found.size() << " difference(s)" << (r.found.empty() ? "" : ":") << '\n';
                    print_differences(r.found);
                    std::cout << "map entries out of step: " << r.maps.added << " missing, " << r.maps.changed << " differing, "
                              << r.maps.removed << " extra\n";
                }
                if (!r.remaining.empty()) {
                    if (!g.json) print_differences(r.remaining);
                    throw drift_error(r.remaining.size(), "remain after the repair");
                }
            };
        });
}

}  // namespace xpeer
