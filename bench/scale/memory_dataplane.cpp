#include "scale/memory_dataplane.h"

#include "compiler/compiler.h"
#include "datapath/map_drift.h"

namespace xpeer::scale {

PortInfo MemoryDataplane::create_vswitch(const Vpc&, const VSwitch& vsw) {
    auto [link, made] = links_.try_emplace(vsw.id, next_ifindex_);
    if (made) ++next_ifindex_;
    PortInfo p;
    p.ifindex = link->second;
    p.datapath_mac = {2, 0, 0, 0, 0, static_cast<uint8_t>(p.ifindex)};
    p.vpc_mac = {2, 0, 0, 0, 1, static_cast<uint8_t>(p.ifindex)};
    return p;
}

ReconcileResult MemoryDataplane::apply(const Snapshot& snapshot, const PortMap& ports) {
    ++rebuilds_;
    Tables now = compile(snapshot, ports);
    const ReconcileResult r = diff(maps_, now).counts();
    maps_ = std::move(now);
    return r;
}

ReconcileResult MemoryDataplane::plan(const Snapshot& snapshot, const PortMap& ports) {
    return diff(maps_, compile(snapshot, ports)).counts();
}

ReconcileResult MemoryDataplane::apply_delta(const TablesDelta& delta, const Tables*) {
    ++deltas_;
    patch(maps_, delta);
    return delta.counts();
}

std::vector<Difference> MemoryDataplane::check(const Snapshot& snapshot, const PortMap& ports) {
    return describe_differences(diff(maps_, compile(snapshot, ports)));
}

}  // namespace xpeer::scale
