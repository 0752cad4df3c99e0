#pragma once
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <string>
#include <vector>

#include "model/errors.h"
#include "sys/unique_fd.h"

namespace xpeer {

// A BPF map whose key and value types are checked against the kernel's map when opened.
template <typename K, typename V>
class TypedMap {
public:
    TypedMap() = default;

    // Borrows fd (e.g. a skeleton's map) or takes ownership of an opened pin.
    static TypedMap borrow(int fd, const std::string& name) { return TypedMap(fd, UniqueFd(), name); }
    static TypedMap open_pinned(const std::string& path) {
        int fd = bpf_obj_get(path.c_str());
        if (fd < 0) throw SystemError("bpf_obj_get " + path, errno);
        return TypedMap(fd, UniqueFd(fd), path);
    }

    int fd() const { return fd_; }
    bpf_map_type type() const { return type_; }
    uint32_t max_entries() const { return max_entries_; }
    const std::string& name() const { return name_; }

    bool get(const K& key, V& value) const {
        if (bpf_map_lookup_elem(fd_, &key, &value) == 0) return true;
        if (errno == ENOENT) return false;
        throw SystemError("bpf_map_lookup_elem " + name_, errno);
    }
    void put(const K& key, const V& value) {
        if (bpf_map_update_elem(fd_, &key, &value, BPF_ANY) != 0) throw SystemError("bpf_map_update_elem " + name_, errno);
    }
    void erase(const K& key) {
        if (bpf_map_delete_elem(fd_, &key) != 0 && errno != ENOENT) throw SystemError("bpf_map_delete_elem " + name_, errno);
    }
    // Many entries in BPF_MAP_UPDATE_BATCH calls; maps without batch operations get one call each.
    void put_all(const std::vector<K>& keys, const std::vector<V>& values) {
        for (size_t done = 0; done < keys.size();) {
            __u32 count = static_cast<__u32>(keys.size() - done);
            LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
            if (bpf_map_update_batch(fd_, keys.data() + done, values.data() + done, &count, &opts) == 0) return;
            if (done == 0 && no_batch(errno)) {  // the kernel leaves count as it was: redo all, one by one
                for (size_t i = 0; i < keys.size(); ++i) put(keys[i], values[i]);
                return;
            }
            throw SystemError("bpf_map_update_batch " + name_ + " (" + std::to_string(keys.size() - done) + " entries)", errno);
        }
    }
    // Removes the keys that are there, in BPF_MAP_DELETE_BATCH calls (a batch stops at a missing
    // key: it is skipped and the rest goes in the next call).
    void erase_all(const std::vector<K>& keys) {
        for (size_t done = 0; done < keys.size();) {
            __u32 count = static_cast<__u32>(keys.size() - done);
            LIBBPF_OPTS(bpf_map_batch_opts, opts);
            if (bpf_map_delete_batch(fd_, keys.data() + done, &count, &opts) == 0) return;
            if (errno == ENOENT) {
                done += count + 1;
                continue;
            }
            if (done == 0 && no_batch(errno)) {
                for (const auto& k : keys) erase(k);
                return;
            }
            throw SystemError("bpf_map_delete_batch " + name_ + " (" + std::to_string(keys.size() - done) + " keys)", errno);
        }
    }

    std::vector<K> keys() const {
        std::vector<K> out;
        K key{}, next{};
        const K* prev = nullptr;
        while (bpf_map_get_next_key(fd_, prev, &next) == 0) {
            out.push_back(next);
            key = next;
            prev = &key;
        }
        if (errno != ENOENT) throw SystemError("bpf_map_get_next_key " + name_, errno);
        return out;
    }

    // Every entry, read in one batch (arrays and hashes; max_entries bounds the count).
    std::vector<std::pair<K, V>> entries(uint32_t max_entries) const {
        std::vector<K> keys(max_entries);
        std::vector<V> values(max_entries);
        __u32 count = max_entries, out_batch = 0;
        int err = bpf_map_lookup_batch(fd_, nullptr, &out_batch, keys.data(), values.data(), &count, nullptr);
        if (err != 0 && errno != ENOENT) throw SystemError("bpf_map_lookup_batch " + name_, errno);
        std::vector<std::pair<K, V>> out;
        out.reserve(count);
        for (__u32 i = 0; i < count; ++i) out.emplace_back(keys[i], values[i]);
        return out;
    }

    // Every entry, read in batches of `chunk` (BPF_MAP_LOOKUP_BATCH: a few syscalls instead of two a
    // key). Maps without batch operations are read key by key.
    std::vector<std::pair<K, V>> all_entries(uint32_t chunk = 8192) const {
        std::vector<std::pair<K, V>> out;
        for_each_entry([&](const K& key, const V& value) { out.emplace_back(key, value); }, chunk);
        return out;
    }

    // f(key, value) for every entry, as all_entries reads them, keeping no more than a batch.
    template <typename F>
    void for_each_entry(F&& f, uint32_t chunk = 8192) const {
        std::vector<K> keys(chunk);
        std::vector<V> values(chunk);
        K token{};
        bool first = true;
        for (;;) {
            __u32 count = chunk;
            int err = bpf_map_lookup_batch(fd_, first ? nullptr : &token, &token, keys.data(), values.data(), &count, nullptr);
            if (err != 0 && errno == EINVAL && first) break;  // no batch support: below
            if (err != 0 && errno != ENOENT) throw SystemError("bpf_map_lookup_batch " + name_, errno);
            for (__u32 i = 0; i < count; ++i) f(keys[i], values[i]);
            if (err != 0) return;  // ENOENT: that was the last batch
            first = false;
        }
        for (const auto& k : this->keys()) {
            V v{};
            if (get(k, v)) f(k, v);
        }
    }

private:
    // The kernel has no batch operation for this map type.
    static bool no_batch(int err) { return err == EINVAL || err == EOPNOTSUPP || err == 524 /* ENOTSUPP */; }

    TypedMap(int fd, UniqueFd owned, const std::string& name) : fd_(fd), owned_(std::move(owned)), name_(name) {
        bpf_map_info info{};
        __u32 len = sizeof(info);
        if (bpf_obj_get_info_by_fd(fd_, &info, &len) != 0) throw SystemError("bpf_obj_get_info_by_fd " + name_, errno);
        type_ = static_cast<bpf_map_type>(info.type);
        max_entries_ = info.max_entries;
        if (info.key_size != sizeof(K) || info.value_size != sizeof(V))
            throw errors::datapath_map_layout(
                "map " + name_ + " has key/value sizes " + std::to_string(info.key_size) + "/" + std::to_string(info.value_size) +
                ", this build expects " + std::to_string(sizeof(K)) + "/" + std::to_string(sizeof(V)) +
                "; the pinned data plane is from another version: `xpeer --operator upgrade` carries it over (`xpeer teardown` "
                "then `xpeer reconcile` rebuilds it, counters from zero)");
    }

    int fd_ = -1;
    bpf_map_type type_ = BPF_MAP_TYPE_UNSPEC;
    uint32_t max_entries_ = 0;
    UniqueFd owned_;
    std::string name_;
};

}  // namespace xpeer
