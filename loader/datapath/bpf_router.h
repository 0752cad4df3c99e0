#pragma once
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "datapath/map_migration.h"
#include "datapath/router_maps.h"
#include "sys/unique_fd.h"
#include "xpeer/bpf_abi.h"

struct router_bpf;  // the skeleton of bpf/router.bpf.c

namespace xpeer {

// The router's programs (bpf/router.bpf.c), each pinned in the folder under its own name.
enum class Prog : size_t { Router, VpcSide, RouterTc, Underlay, UnderlayTc };
struct RouterProgram {
    const char* name;  // the program's, and its pin's
    bool optional;     // a later build added it: the pins of an earlier one lack it
};
inline constexpr RouterProgram kRouterPrograms[] = {
    {"xp_router", false}, {"xp_vpc_side", false}, {"xp_router_tc", true}, {"xp_underlay", true}, {"xp_underlay_tc", true}};
inline constexpr size_t kRouterProgramCount = std::size(kRouterPrograms);
inline constexpr const char* kRouterProgPin = kRouterPrograms[size_t(Prog::Router)].name;

// The router's programs and maps. Pinned under one bpffs folder, so that the data plane
// outlives every process; or, for tests, loaded unpinned and owned by this object.
class BpfRouter {
public:
    // Opens what is pinned under dir, loading and pinning programs and maps first if needed.
    static BpfRouter open_or_load(const std::string& dir);
    // Opens what is pinned under dir, or nullopt if nothing is.
    static std::optional<BpfRouter> open_pinned(const std::string& dir);
    // Loads a private copy that nothing else sees (BPF tests).
    static BpfRouter load_unpinned();
    // Opens the maps and programs at path_of(pin name) for each (`xpeer --operator upgrade`
    // resuming: some under its staging folder, the rest in place); a missing optional program is -1.
    static BpfRouter open_at(const std::function<std::string(const std::string&)>& path_of);
    // This build's programs, not pinned, over the maps pinned under dir where `plan` keeps them
    // and over new, empty maps where it does not (datapath/map_migration.h). The object owns
    // the programs and the new maps; attaching and pinning them is the caller's
    // (loader/datapath/router_upgrade.h).
    static BpfRouter load_beside(const std::string& dir, const std::vector<MapStep>& plan);
    // This build's maps as an upgrade plans with them: layouts sized for this machine's CPU ids.
    static std::vector<MapSpec> map_specs();
    // The kernel's id of the program behind fd (0 if none): what an interface's XDP query reports.
    static uint32_t program_id(int fd);
    // Removes the folder and every pin in it. The BPF links pinned there (KernelDataplane's links/ folder)
    // go too, and with them the programs they attached.
    static void unpin(const std::string& dir);
    // Mounts bpffs at /sys/fs/bpf if it is not there (the default folder's parent).
    static void ensure_bpffs();

    BpfRouter(BpfRouter&&) noexcept;
    BpfRouter& operator=(BpfRouter&&) noexcept;
    ~BpfRouter();

    // The program's fd; -1 for an optional one the pins' build had not (`xpeer upgrade` adds it).
    int prog_fd(Prog p) const {
        const size_t i = size_t(p);
        return progs_[i].get() >= 0 ? progs_[i].get() : borrowed_[i];
    }
    int router_fd() const { return prog_fd(Prog::Router); }
    int vpc_side_fd() const { return prog_fd(Prog::VpcSide); }
    int router_tc_fd() const { return prog_fd(Prog::RouterTc); }
    // The decapsulation on the underlay interface, in XDP and on tc ingress.
    int underlay_fd() const { return prog_fd(Prog::Underlay); }
    int underlay_tc_fd() const { return prog_fd(Prog::UnderlayTc); }

    // One member a map, as loader/datapath/router_maps.h lists them: routes_v4, ports, ...
#define XPEER_DATAPATH_MEMBER(member, type, owner, per_cpu, holds, ...) __VA_ARGS__ member;
    XPEER_ROUTER_MAPS(XPEER_DATAPATH_MEMBER)
#undef XPEER_DATAPATH_MEMBER

    // f(member, its row of kRouterMaps) for every map, in kRouterMaps' order.
    template <typename F>
    void for_each_map(F&& f) {
        size_t row = 0;
#define XPEER_VISIT_MAP(member, ...) f(member, kRouterMaps[row++]);
        XPEER_ROUTER_MAPS(XPEER_VISIT_MAP)
#undef XPEER_VISIT_MAP
    }

    // The map's file descriptor (owned by this object), by name as pinned; -1 if none.
    int map_fd(const std::string& name);

    xp_control read_control() const;
    void write_control(const xp_control& c);

private:
    BpfRouter() = default;
    struct SkelDeleter {
        void operator()(struct ::router_bpf* s) const;
    };
    // Opens each program at path_of(its name).
    void open_programs(const std::function<std::string(const std::string&)>& path_of);
    // Borrows the skeleton's programs.
    void borrow_programs();

    std::unique_ptr<struct ::router_bpf, SkelDeleter> skel_;
    std::array<UniqueFd, kRouterProgramCount> progs_;
    std::array<int, kRouterProgramCount> borrowed_ = [] {
        std::array<int, kRouterProgramCount> a;
        a.fill(-1);
        return a;
    }();
};

}  // namespace xpeer
