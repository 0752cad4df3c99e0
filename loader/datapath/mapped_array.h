#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "datapath/typed_map.h"
#include "model/errors.h"

namespace xpeer {

// A BPF array map (BPF_F_MMAPABLE) read and written through one memory mapping: plain loads and
// stores, no system call a element. A 32-bit value is stored at once, as the router reads it while
// packets flow (the compiled lookup's roots and node entries).
template <typename V>
class MappedArray {
public:
    MappedArray() = default;
    explicit MappedArray(TypedMap<uint32_t, V> map) : map_(std::move(map)), mapping_(std::make_shared<Mapping>()) {}

    uint32_t size() const { return map_.max_entries(); }
    const TypedMap<uint32_t, V>& map() const { return map_; }

    const V& operator[](uint32_t index) const { return *element(index); }
    // Writes a whole element with plain stores: for elements no reader can reach yet.
    void put(uint32_t index, const V& value) { std::memcpy(element(index), &value, sizeof(V)); }
    // Stores one 32-bit value at once, after every store before it (release): what makes an
    // element written with put() reachable.
    void publish(uint32_t index, uint32_t value) requires std::is_same_v<V, uint32_t> {
        std::atomic_ref<uint32_t>(*element(index)).store(value, std::memory_order_release);
    }

private:
    static constexpr size_t kStride = (sizeof(V) + 7) / 8 * 8;  // the kernel rounds an element up to 8 bytes

    V* element(uint32_t index) const {
        if (index >= size())
            throw errors::internal_error_per_cpu_index(map_.name() + ": index " + std::to_string(index) + " is beyond its " +
                                                       std::to_string(size()) + " elements");
        return reinterpret_cast<V*>(base() + size_t{index} * kStride);
    }

    struct Mapping {
        uint8_t* base = nullptr;
        size_t bytes = 0;
        ~Mapping() {
            if (base) munmap(base, bytes);
        }
    };
    uint8_t* base() const {
        if (!mapping_) throw errors::internal_error_per_cpu_map("a mapped array used before it was opened");
        if (!mapping_->base) {
            const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
            const size_t bytes = (size_t{size()} * kStride + page - 1) / page * page;
            void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, map_.fd(), 0);
            if (at == MAP_FAILED) throw SystemError("mmap " + map_.name() + " (it must be BPF_F_MMAPABLE)", errno);
            mapping_->base = static_cast<uint8_t*>(at);
            mapping_->bytes = bytes;
        }
        return mapping_->base;
    }

    TypedMap<uint32_t, V> map_;
    std::shared_ptr<Mapping> mapping_;  // shared: moved and copied members keep one mapping
};

}  // namespace xpeer
