// `xpeer maps` on the pinned maps (datapath/map_reader.h).
#include "controller/kernel_dataplane.h"
#include "datapath/map_reader.h"
#include "model/errors.h"

namespace xpeer {
namespace {

BpfRouter& pinned(std::optional<BpfRouter>& dp, const std::string& dir) {
    if (!dp)
        throw errors::datapath_not_loaded(
            "nothing is pinned under " + dir +
            ": no command has loaded the data plane since the last reboot or teardown (`xpeer reconcile` does)");
    return *dp;
}

}  // namespace

std::vector<MapInfo> KernelDataplane::map_table() { return router_map_infos(); }

std::vector<MapSummary> KernelDataplane::map_summaries(const MapScope& scope) {
    return summarize_maps(pinned(router_if_loaded(), config_.bpffs_dir), config_.bpffs_dir, scope);
}

MapContents KernelDataplane::map_entries(const std::string& name, const MapScope& scope) {
    return read_map(pinned(router_if_loaded(), config_.bpffs_dir), config_.bpffs_dir, name, scope);
}

}  // namespace xpeer
