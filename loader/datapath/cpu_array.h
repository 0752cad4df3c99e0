#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "datapath/typed_map.h"
#include "model/errors.h"

namespace xpeer {

// How many CPU ids the kernel can hand out: the highest possible CPU's id + 1. A per-CPU map has a
// region for each, since the router indexes by bpf_get_smp_processor_id() (ids can have gaps).
inline unsigned cpu_ids() {
    static const unsigned n = [] {
        std::ifstream in("/sys/devices/system/cpu/possible");
        std::string list;
        if (!std::getline(in, list) || list.empty()) throw SystemError("read /sys/devices/system/cpu/possible", errno ? errno : EIO);
        const auto last = list.find_last_of(",-");  // "0-3", "0,2-5", "0"
        return static_cast<unsigned>(std::stoul(last == std::string::npos ? list : list.substr(last + 1))) + 1;
    }();
    return n;
}

// A per-CPU map as the router keeps it: a plain array, mappable (BPF_F_MMAPABLE), of per_cpu
// elements for each CPU id, element (cpu, index) at key cpu * per_cpu + index (include/xpeer/
// bpf_abi.h says why). Its first kSyscallUses reads and writes go through the bpf system call,
// one per CPU id; after that through a memory mapping, with no system call at all. Mapping a BPF
// array maps every page of it at once (16 MiB for xp_link_stats on two CPU ids): worth it for
// the agent, which reads every link each interval, not for a command that touches one or two.
template <typename V>
class CpuArray {
public:
    CpuArray() = default;
    CpuArray(TypedMap<uint32_t, V> map, uint32_t per_cpu) : map_(std::move(map)), per_cpu_(per_cpu), mapping_(std::make_unique<Mapping>()) {
        if (map_.max_entries() != uint64_t{per_cpu} * cpu_ids())
            throw errors::datapath_map_layout(
                map_.name() + " has " + std::to_string(map_.max_entries()) + " elements, this build expects " + std::to_string(per_cpu) +
                " for each of " + std::to_string(cpu_ids()) +
                " CPU ids; the pinned data plane is from another version: `xpeer --operator upgrade` carries it over");
    }

    // The element `index` of every CPU id, in id order.
    std::vector<V> read_percpu(uint32_t index) const {
        check(index);
        std::vector<V> out(cpu_ids());
        const bool mapped = use();
        for (uint32_t cpu = 0; cpu < out.size(); ++cpu) {
            if (mapped)
                std::memcpy(&out[cpu], at(cpu, index), sizeof(V));
            else if (!map_.get(cpu * per_cpu_ + index, out[cpu]))
                throw SystemError("bpf_map_lookup_elem " + map_.name(), errno ? errno : ENOENT);
        }
        return out;
    }
    // values: one for each CPU id, in id order.
    void write_percpu(uint32_t index, const std::vector<V>& values) {
        check(index);
        if (values.size() != cpu_ids())
            throw errors::internal_error_per_cpu_values(map_.name() + ": " + std::to_string(values.size()) + " values for " +
                                                        std::to_string(cpu_ids()) + " CPU ids");
        const bool mapped = use();
        for (uint32_t cpu = 0; cpu < values.size(); ++cpu) {
            if (mapped)
                std::memcpy(at(cpu, index), &values[cpu], sizeof(V));
            else
                map_.put(cpu * per_cpu_ + index, values[cpu]);
        }
    }
    uint32_t per_cpu() const { return per_cpu_; }
    int fd() const { return map_.fd(); }
    static constexpr uint32_t kSyscallUses = 64;

private:
    static constexpr size_t kElem = (sizeof(V) + 7) / 8 * 8;  // an array element's stride

    void check(uint32_t index) const {
        if (index >= per_cpu_)
            throw errors::internal_error_per_cpu_index(map_.name() + ": index " + std::to_string(index) + " is beyond the " +
                                                       std::to_string(per_cpu_) + " of a CPU's region");
    }
    uint8_t* at(uint32_t cpu, uint32_t index) const { return base() + (size_t{cpu} * per_cpu_ + index) * kElem; }
    // One more read or write: true once it should go through the mapping.
    bool use() const {
        if (!mapping_) throw errors::internal_error_per_cpu_map("a per-CPU map used before it was opened");
        auto& uses = mapping_->uses;
        return uses.load(std::memory_order_relaxed) >= kSyscallUses || uses.fetch_add(1, std::memory_order_relaxed) >= kSyscallUses;
    }

    struct Mapping {
        std::atomic<uint32_t> uses{0};  // counted up to kSyscallUses (a few beyond, when threads race)
        std::once_flag once;
        uint8_t* base = nullptr;
        size_t bytes = 0;
        ~Mapping() {
            if (base) munmap(base, bytes);
        }
    };
    uint8_t* base() const {
        if (!mapping_) throw errors::internal_error_per_cpu_map("a per-CPU map used before it was opened");
        std::call_once(mapping_->once, [this] {
            const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
            const size_t bytes = (size_t{map_.max_entries()} * kElem + page - 1) / page * page;
            void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, map_.fd(), 0);
            if (at == MAP_FAILED) throw SystemError("mmap " + map_.name() + " (a per-CPU map must be BPF_F_MMAPABLE)", errno);
            mapping_->base = static_cast<uint8_t*>(at);
            mapping_->bytes = bytes;
        });
        return mapping_->base;
    }

    TypedMap<uint32_t, V> map_;
    uint32_t per_cpu_ = 0;
    std::unique_ptr<Mapping> mapping_;  // on the heap: a once_flag does not move
};

}  // namespace xpeer
