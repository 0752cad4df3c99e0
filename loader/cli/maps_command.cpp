// `xpeer maps [NAME] [--vpc V | --peering P]`: the router's maps decoded, for bpftool users.
#include "cli/commands.h"
#include "cli/map_render.h"

namespace xpeer {

void add_maps(CLI::App& app, Globals& g, Action& action) {
    auto name = std::make_shared<std::optional<std::string>>();
    auto vpc = std::make_shared<std::optional<std::string>>();
    auto peering = std::make_shared<std::optional<std::string>>();
    auto* maps =
        app.add_subcommand("maps", "the router's maps decoded: every map, or one map's entries (ids, CIDRs, counters summed over CPUs)");
    maps->add_option("name", *name, "a map, e.g. xp_routes_v4 (default: list every map)");
    auto* by_vpc = maps->add_option("--vpc", *vpc, "only the entries of this VPC (its routes, ports, peerings, cached routes)");
    maps->add_option("--peering", *peering, "only the entries of this peering connection")->excludes(by_vpc);
    maps->callback([&g, &action, name, vpc, peering] {
        action = [&g, name, vpc, peering](Controller& c) {
            if (!*name) {
                auto all = c.map_summaries(*vpc, *peering);
                if (g.json)
                    std::cout << render::maps_json(all).dump(2) << '\n';
                else
                    render::maps_table(std::cout, all);
                return;
            }
            auto one = c.map_entries(**name, *vpc, *peering);
            if (g.json)
                std::cout << render::map_json(one).dump(2) << '\n';
            else
                render::map_table(std::cout, one);
        };
    });
}

}  // namespace xpeer
