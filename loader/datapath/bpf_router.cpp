#include "datapath/bpf_router.h"
#include "model/errors.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "datapath/map_roles.h"
#include "model/capacity.h"
#include "router.skel.h"

namespace xpeer {
namespace fs = std::filesystem;

static_assert(kMaxRoutesPerFamily == XP_MAX_ROUTES, "model/capacity.h and bpf_abi.h disagree");

void BpfRouter::SkelDeleter::operator()(struct ::router_bpf* s) const { router_bpf__destroy(s); }

BpfRouter::BpfRouter(BpfRouter&&) noexcept = default;
BpfRouter& BpfRouter::operator=(BpfRouter&&) noexcept = default;
BpfRouter::~BpfRouter() = default;

namespace {

bool is_bpffs(const std::string& path) {
    struct statfs st {};
    return statfs(path.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

// A pinned map; a missing one, or one of another type, means the pins are from another xpeer
// version (TypedMap refuses one whose key or value size differs from this build's).
template <typename M>
M open_map(const std::string& path, bpf_map_type type) {
    const std::string remedy =
        ": the pins are from another xpeer version; `xpeer --operator upgrade` carries them over to this "
        "build's (or `xpeer teardown` then `xpeer reconcile` rebuilds them, counters from zero)";
    if (!fs::exists(path)) throw errors::datapath_map_layout(path + " is missing" + remedy);
    M map = M::open_pinned(path);
    if (map.type() != type)
        throw errors::datapath_map_layout(path + " is a map of type " + std::to_string(map.type()) + ", this build expects " +
                                          std::to_string(type) + remedy);
    return map;
}

// The BPF object's maps are the ones router_maps.h lists (its internal .rodata and the like aside).
void check_map_table(bpf_object* obj) {
    bpf_map* map;
    bpf_object__for_each_map(map, obj) {
        if (!bpf_map__is_internal(map) && !find_router_map(bpf_map__name(map)))
            throw errors::internal_error_map_table(std::string("the router's map ") + bpf_map__name(map) +
                                                   " is not in loader/datapath/router_maps.h");
    }
    for (const auto& m : kRouterMaps)
        if (!bpf_object__find_map_by_name(obj, m.name))
            throw errors::internal_error_map_table(std::string("the router has no map ") + m.name +
                                                   ", which loader/datapath/router_maps.h lists");
}

// Before loading: one region of each per-CPU map for every possible CPU.
void size_per_cpu_maps(bpf_object* obj) {
    check_map_table(obj);
    const unsigned cpus = cpu_ids();
    for (const auto& m : kRouterMaps) {
        if (!m.per_cpu) continue;
        bpf_map* map = bpf_object__find_map_by_name(obj, m.name);
        const uint64_t entries = uint64_t{m.per_cpu} * cpus;
        if (entries > UINT32_MAX)
            throw errors::datapath_too_many_cpus(std::string(m.name) + ": " + std::to_string(cpus) + " CPU ids are too many");
        if (int err = bpf_map__set_max_entries(map, static_cast<uint32_t>(entries)); err)
            throw SystemError(std::string("size ") + m.name, -err);
    }
}

template <typename K, typename V>
void open_member(TypedMap<K, V>& out, const std::string& path, const RouterMap& m) {
    out = open_map<TypedMap<K, V>>(path, m.type);
}

template <typename V>
void open_member(CpuArray<V>& out, const std::string& path, const RouterMap& m) {
    out = CpuArray<V>(open_map<TypedMap<uint32_t, V>>(path, m.type), m.per_cpu);
}

template <typename V>
void open_member(MappedArray<V>& out, const std::string& path, const RouterMap& m) {
    out = MappedArray<V>(open_map<TypedMap<uint32_t, V>>(path, m.type));
}

template <typename K, typename V>
void borrow_member(TypedMap<K, V>& out, bpf_map* map, const RouterMap& m) {
    out = TypedMap<K, V>::borrow(bpf_map__fd(map), m.name);
}

template <typename V>
void borrow_member(MappedArray<V>& out, bpf_map* map, const RouterMap& m) {
    out = MappedArray<V>(TypedMap<uint32_t, V>::borrow(bpf_map__fd(map), m.name));
}

template <typename V>
void borrow_member(CpuArray<V>& out, bpf_map* map, const RouterMap& m) {
    out = CpuArray<V>(TypedMap<uint32_t, V>::borrow(bpf_map__fd(map), m.name), m.per_cpu);
}

}  // namespace

void BpfRouter::ensure_bpffs() {
    const char* root = "/sys/fs/bpf";
    if (is_bpffs(root)) return;
    if (mount("bpf", root, "bpf", 0, "mode=0700") != 0) throw SystemError(std::string("mount bpffs at ") + root, errno);
}

void BpfRouter::open_programs(const std::function<std::string(const std::string&)>& path_of) {
    for (size_t i = 0; i < kRouterProgramCount; ++i) {
        const std::string path = path_of(kRouterPrograms[i].name);
        progs_[i] = UniqueFd(bpf_obj_get(path.c_str()));
        if (progs_[i].get() < 0 && !(errno == ENOENT && kRouterPrograms[i].optional)) throw SystemError("bpf_obj_get " + path, errno);
    }
}

void BpfRouter::borrow_programs() {
    for (size_t i = 0; i < kRouterProgramCount; ++i)
        borrowed_[i] = bpf_program__fd(bpf_object__find_program_by_name(skel_->obj, kRouterPrograms[i].name));
}

std::optional<BpfRouter> BpfRouter::open_pinned(const std::string& dir) {
    if (!fs::exists(dir + "/" + kRouterProgPin)) return std::nullopt;
    BpfRouter dp;
    dp.open_programs([&](const std::string& name) { return dir + "/" + name; });
    dp.for_each_map([&](auto& map, const RouterMap& m) { open_member(map, dir + "/" + m.name, m); });
    return dp;
}

BpfRouter BpfRouter::open_or_load(const std::string& dir) {
    if (auto dp = open_pinned(dir)) return std::move(*dp);
    if (!is_bpffs(fs::path(dir).parent_path())) ensure_bpffs();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw SystemError("mkdir " + dir, ec.value());
    if (!is_bpffs(dir)) throw errors::datapath_not_bpffs(dir + " is not on a bpf filesystem; mount one or choose --bpffs");

    std::unique_ptr<struct ::router_bpf, SkelDeleter> skel(router_bpf__open());
    if (!skel) throw SystemError("open BPF skeleton", errno);
    bpf_map* map;
    bpf_object__for_each_map(map, skel->obj) {
        if (bpf_map__is_internal(map)) continue;  // .rodata: this program's own settings, never pinned
        std::string path = dir + "/" + bpf_map__name(map);
        if (int err = bpf_map__set_pin_path(map, path.c_str()); err) throw SystemError("bpf_map__set_pin_path " + path, err);
    }
    size_per_cpu_maps(skel->obj);
    if (int err = router_bpf__load(skel.get()); err) throw SystemError("load BPF programs (see the verifier log above)", -err);
    for (const auto& prog : kRouterPrograms) {
        std::string path = dir + "/" + prog.name;
        if (int err = bpf_program__pin(bpf_object__find_program_by_name(skel->obj, prog.name), path.c_str()); err)
            throw SystemError("pin " + path, err);
    }
    return std::move(*open_pinned(dir));
}

uint32_t BpfRouter::program_id(int fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    return fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

namespace {

MapLayout layout_of(const bpf_map* map) {
    return MapLayout{bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map), bpf_map__max_entries(map),
                     bpf_map__map_flags(map)};
}

}  // namespace

std::vector<MapSpec> BpfRouter::map_specs() {
    std::unique_ptr<struct ::router_bpf, SkelDeleter> skel(router_bpf__open());
    if (!skel) throw SystemError("open BPF skeleton", errno);
    size_per_cpu_maps(skel->obj);
    std::vector<MapSpec> out;
    for (const auto& m : kRouterMaps) out.push_back(map_spec(m, layout_of(bpf_object__find_map_by_name(skel->obj, m.name))));
    return out;
}

BpfRouter BpfRouter::load_beside(const std::string& dir, const std::vector<MapStep>& plan) {
    BpfRouter dp;
    dp.skel_.reset(router_bpf__open());
    if (!dp.skel_) throw SystemError("open BPF skeleton", errno);
    auto* s = dp.skel_.get();
    size_per_cpu_maps(s->obj);
    for (const auto& step : plan) {
        if (step.action != MapAction::Keep) continue;  // new maps: libbpf creates them at load
        bpf_map* map = bpf_object__find_map_by_name(s->obj, step.name.c_str());
        if (!map) continue;
        // libbpf reuses the pin after checking its type, sizes, entries and flags against the
        // object's: the layout the plan compared.
        const std::string path = dir + "/" + step.name;
        if (int err = bpf_map__set_pin_path(map, path.c_str()); err) throw SystemError("bpf_map__set_pin_path " + path, -err);
    }
    if (int err = router_bpf__load(s); err) throw SystemError("load BPF programs (see the verifier log above)", -err);
    dp.borrow_programs();
    dp.for_each_map([&](auto& map, const RouterMap& m) { borrow_member(map, bpf_object__find_map_by_name(s->obj, m.name), m); });
    return dp;
}

BpfRouter BpfRouter::open_at(const std::function<std::string(const std::string&)>& path_of) {
    BpfRouter dp;
    dp.open_programs(path_of);
    dp.for_each_map([&](auto& map, const RouterMap& m) { open_member(map, path_of(m.name), m); });
    return dp;
}

int BpfRouter::map_fd(const std::string& name) {
    int out = -1;
    for_each_map([&](auto& map, const RouterMap& m) {
        if (name != m.name) return;
        if constexpr (requires { map.map(); })
            out = map.map().fd();
        else
            out = map.fd();
    });
    return out;
}

BpfRouter BpfRouter::load_unpinned() {
    BpfRouter dp;
    dp.skel_.reset(router_bpf__open());
    if (!dp.skel_) throw SystemError("open BPF skeleton", errno);
    size_per_cpu_maps(dp.skel_->obj);
    if (int err = router_bpf__load(dp.skel_.get()); err) throw SystemError("load BPF programs (see the verifier log above)", -err);
    auto* s = dp.skel_.get();
    dp.borrow_programs();
    dp.for_each_map([&](auto& map, const RouterMap& m) { borrow_member(map, bpf_object__find_map_by_name(s->obj, m.name), m); });
    return dp;
}

xp_control BpfRouter::read_control() const {
    xp_control c{};
    control.get(0, c);
    return c;
}

void BpfRouter::write_control(const xp_control& c) { control.put(0, c); }

void BpfRouter::unpin(const std::string& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return;
    fs::remove_all(dir, ec);
    if (ec) throw SystemError("remove " + dir, ec.value());
}

}  // namespace xpeer
