#pragma once
#include <cstdint>
#include <vector>

#include "datapath/typed_map.h"

namespace xpeer {

// A per-CPU map as the router keeps it: a plain array of per_cpu elements for each possible CPU,
// element (cpu, index) at key cpu * per_cpu + index (include/xpeer/bpf_abi.h says why).
template <typename V>
class CpuArray {
public:
    CpuArray() = default;
    CpuArray(TypedMap<uint32_t, V> map, uint32_t per_cpu) : map_(std::move(map)), per_cpu_(per_cpu) {}

    // The element `index` of every possible CPU, in CPU order.
    std::vector<V> read_percpu(uint32_t index) const {
        std::vector<V> out(possible_cpus());
        for (uint32_t cpu = 0; cpu < out.size(); ++cpu)
            if (!map_.get(cpu * per_cpu_ + index, out[cpu])) throw Error("Datapath.MapLayout", map_.name() + " has no element " + std::to_string(index) + " for CPU " + std::to_string(cpu));
        return out;
    }
    // values: one for each possible CPU, in CPU order.
    void write_percpu(uint32_t index, const std::vector<V>& values) {
        std::vector<uint32_t> keys(values.size());
        for (uint32_t cpu = 0; cpu < keys.size(); ++cpu) keys[cpu] = cpu * per_cpu_ + index;
        map_.put_all(keys, values);
    }
    static unsigned possible_cpus() { return TypedMap<uint32_t, V>::possible_cpus(); }
    uint32_t per_cpu() const { return per_cpu_; }
    const TypedMap<uint32_t, V>& map() const { return map_; }

private:
    TypedMap<uint32_t, V> map_;
    uint32_t per_cpu_ = 0;
};

}  // namespace xpeer
