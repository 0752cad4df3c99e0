#include "datapath/map_carry.h"

#include <bpf/bpf.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "model/errors.h"

namespace xpeer {
namespace {

bpf_map_info info_of(int fd, const std::string& name) {
    bpf_map_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) throw SystemError("bpf_obj_get_info_by_fd " + name, errno);
    return info;
}

// Every value of an array map, max_entries * value_size bytes, in key order.
std::vector<uint8_t> read_array(int fd, const bpf_map_info& info, const std::string& name) {
    std::vector<uint8_t> values(size_t{info.max_entries} * info.value_size);
    std::vector<uint32_t> keys(info.max_entries);
    uint32_t token = 0;
    size_t done = 0;
    bool first = true;
    while (done < info.max_entries) {
        __u32 count = static_cast<__u32>(info.max_entries - done);
        const int err = bpf_map_lookup_batch(fd, first ? nullptr : &token, &token, keys.data() + done,
                                             values.data() + done * info.value_size, &count, nullptr);
        if (err != 0 && errno == EINVAL && first) break;  // no batch operations: one key at a time
        if (err != 0 && errno != ENOENT) throw SystemError("bpf_map_lookup_batch " + name, errno);
        done += count;
        first = false;
        if (err != 0) return values;
    }
    for (uint32_t key = static_cast<uint32_t>(done); key < info.max_entries; ++key)
        if (bpf_map_lookup_elem(fd, &key, values.data() + size_t{key} * info.value_size) != 0)
            throw SystemError("bpf_map_lookup_elem " + name, errno);
    return values;
}

struct Mapping {
    uint8_t* base = nullptr;
    size_t bytes = 0;
    Mapping(int fd, const bpf_map_info& info, const std::string& name) {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        bytes = (size_t{info.max_entries} * ((info.value_size + 7) / 8 * 8) + page - 1) / page * page;
        void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (at == MAP_FAILED) throw SystemError("mmap " + name + " (this build's counter maps are BPF_F_MMAPABLE)", errno);
        base = static_cast<uint8_t*>(at);
    }
    ~Mapping() { munmap(base, bytes); }
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
};

// Runs this thread on one CPU while alive, and where it ran before afterwards. False when the
// CPU is offline or not ours: no program runs there then, or none we could keep from racing.
class OnCpu {
public:
    explicit OnCpu(uint32_t cpu) {
        CPU_ZERO(&before_);
        restore_ = sched_getaffinity(0, sizeof(before_), &before_) == 0;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        pinned_ = sched_setaffinity(0, sizeof(one), &one) == 0 && static_cast<uint32_t>(sched_getcpu()) == cpu;
    }
    ~OnCpu() {
        if (restore_) sched_setaffinity(0, sizeof(before_), &before_);
    }
    OnCpu(const OnCpu&) = delete;
    OnCpu& operator=(const OnCpu&) = delete;
    bool pinned() const { return pinned_; }

private:
    cpu_set_t before_;
    bool restore_ = false, pinned_ = false;
};

bool any_moved(const MapStep& step, const uint8_t* value) {
    for (const auto& m : step.moves)
        for (uint32_t i = 0; i < m.size; ++i)
            if (value[m.from + i] != 0) return true;
    return false;
}

}  // namespace

size_t add_counters(const MapStep& step, int old_fd, int new_fd) {
    const bpf_map_info old_info = info_of(old_fd, step.name), new_info = info_of(new_fd, step.name);
    const std::vector<uint8_t> old_values = read_array(old_fd, old_info, step.name + " (pinned)");
    Mapping mapped(new_fd, new_info, step.name);
    const size_t stride = (new_info.value_size + 7) / 8 * 8;
    const std::vector<uint8_t> zero(old_info.value_size, 0);
    size_t carried = 0;
    for (uint32_t cpu = 0; cpu < step.cpus; ++cpu) {
        std::vector<uint32_t> todo;
        for (uint32_t i = 0; i < step.elements; ++i)
            if (any_moved(step, &old_values[(size_t{cpu} * step.old_per_cpu + i) * old_info.value_size])) todo.push_back(i);
        if (todo.empty()) continue;
        // The router adds to its CPU's element with plain loads and stores (bpf/stats.h). From a
        // thread on that CPU, an atomic add is one instruction the router's softirq cannot split,
        // and no other CPU writes that element: neither increment is lost.
        OnCpu on(cpu);
        for (uint32_t i : todo) {
            const uint32_t old_key = cpu * step.old_per_cpu + i;
            const uint8_t* from = &old_values[size_t{old_key} * old_info.value_size];
            uint8_t* to = mapped.base + (size_t{cpu} * step.new_per_cpu + i) * stride;
            for (const auto& m : step.moves)
                for (uint32_t off = 0; off + 8 <= m.size; off += 8) {
                    uint64_t v;
                    std::memcpy(&v, from + m.from + off, 8);
                    if (v) __atomic_fetch_add(reinterpret_cast<uint64_t*>(to + m.to + off), v, __ATOMIC_RELAXED);
                }
            if (bpf_map_update_elem(old_fd, &old_key, zero.data(), BPF_ANY) != 0)
                throw SystemError("bpf_map_update_elem " + step.name + " (pinned)", errno);
            ++carried;
        }
    }
    return carried;
}

size_t copy_fields(const MapStep& step, int old_fd, int new_fd) {
    const bpf_map_info old_info = info_of(old_fd, step.name), new_info = info_of(new_fd, step.name);
    std::vector<uint8_t> from(old_info.value_size), to(new_info.value_size);
    size_t copied = 0;
    for (uint32_t cpu = 0; cpu < step.cpus; ++cpu)
        for (uint32_t i = 0; i < step.elements; ++i) {
            const uint32_t old_key = cpu * step.old_per_cpu + i, new_key = cpu * step.new_per_cpu + i;
            if (bpf_map_lookup_elem(old_fd, &old_key, from.data()) != 0) throw SystemError("bpf_map_lookup_elem " + step.name, errno);
            if (bpf_map_lookup_elem(new_fd, &new_key, to.data()) != 0) throw SystemError("bpf_map_lookup_elem " + step.name, errno);
            for (const auto& m : step.moves) std::memcpy(to.data() + m.to, from.data() + m.from, m.size);
            if (bpf_map_update_elem(new_fd, &new_key, to.data(), BPF_ANY) != 0)
                throw SystemError("bpf_map_update_elem " + step.name, errno);
            ++copied;
        }
    return copied;
}

}  // namespace xpeer
