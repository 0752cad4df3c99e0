// `xpeer maps` on the pinned maps (datapath/map_reader.h).
#include "controller/kernel.h"
#include "datapath/map_reader.h"
#include "model/errors.h"

namespace xpeer {
namespace {

Datapath& pinned(std::optional<Datapath>& dp, const std::string& dir) {
    if (!dp)
        throw errors::datapath_not_loaded("nothing is pinned under " + dir +
                                              ": no command has loaded the data plane since the last reboot or teardown (`xpeer reconcile` does)");
    return *dp;
}

}  // namespace

std::vector<MapInfo> Kernel::map_table() { return router_map_infos(); }

std::vector<MapSummary> Kernel::map_summaries(const MapScope& scope) {
    return summarize_maps(pinned(datapath_if_loaded(), config_.bpffs_dir), config_.bpffs_dir, scope);
}

MapContents Kernel::map_entries(const std::string& name, const MapScope& scope) {
    return read_map(pinned(datapath_if_loaded(), config_.bpffs_dir), config_.bpffs_dir, name, scope);
}

}  // namespace xpeer
