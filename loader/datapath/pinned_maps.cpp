#include "datapath/pinned_maps.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "model/errors.h"
#include "sys/unique_fd.h"

namespace xpeer {
namespace {

struct BtfDeleter {
    void operator()(struct btf* b) const { btf__free(b); }
};

// The value's members, if the map has BTF for it and the value is a struct (or a typedef of one).
std::optional<std::vector<ValueField>> value_fields(const bpf_map_info& info) {
    if (info.btf_id == 0 || info.btf_value_type_id == 0) return std::nullopt;
    std::unique_ptr<struct btf, BtfDeleter> btf(btf__load_from_kernel_by_id(info.btf_id));
    if (!btf) return std::nullopt;
    const int id = btf__resolve_type(btf.get(), info.btf_value_type_id);
    if (id < 0) return std::nullopt;
    const struct btf_type* t = btf__type_by_id(btf.get(), static_cast<__u32>(id));
    if (!t || !btf_is_struct(t)) return std::nullopt;
    std::vector<ValueField> out;
    const struct btf_member* m = btf_members(t);
    for (int i = 0; i < btf_vlen(t); ++i, ++m) {
        const __s64 size = btf__resolve_size(btf.get(), m->type);
        const __u32 bits = btf_member_bit_offset(t, static_cast<__u32>(i));
        if (size <= 0 || bits % 8 != 0 || btf_member_bitfield_size(t, static_cast<__u32>(i)) != 0) continue;
        out.push_back({btf__name_by_offset(btf.get(), m->name_off), bits / 8, static_cast<uint32_t>(size)});
    }
    return out;
}

// True if fd is a BPF map (not a program or a link): its anonymous inode says so.
bool is_map(int fd) {
    char target[64] = {};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
    return n > 0 && std::string(target, static_cast<size_t>(n)) == "anon_inode:bpf-map";
}

}  // namespace

PinnedMap describe_map(int fd, const std::string& name) {
    bpf_map_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) throw SystemError("bpf_obj_get_info_by_fd " + name, errno);
    PinnedMap out{name, MapLayout{info.type, info.key_size, info.value_size, info.max_entries, info.map_flags}};
    out.fields = value_fields(info);
    return out;
}

std::vector<PinnedMap> pinned_maps(const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<PinnedMap> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_directory()) continue;
        const std::string name = entry.path().filename();
        UniqueFd fd(bpf_obj_get(entry.path().c_str()));
        if (fd.get() < 0) throw SystemError("bpf_obj_get " + entry.path().string(), errno);
        if (is_map(fd.get())) out.push_back(describe_map(fd.get(), name));
    }
    if (ec) throw SystemError("list " + dir, ec.value());
    return out;
}

}  // namespace xpeer
