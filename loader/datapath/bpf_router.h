#pragma once
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
    // resuming: some under its staging folder, the rest in place); a missing TC twin is -1.
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

    int router_fd() const { return router_.get() >= 0 ? router_.get() : router_borrowed_; }
    int vpc_side_fd() const { return vpc_side_.get() >= 0 ? vpc_side_.get() : vpc_side_borrowed_; }
    // The router's TC twin; -1 when the pins are from a build without it (`xpeer upgrade` adds it).
    int router_tc_fd() const { return router_tc_.get() >= 0 ? router_tc_.get() : router_tc_borrowed_; }
    // The decapsulation on the underlay interface; -1 when the pins are from a build without it.
    int underlay_fd() const { return underlay_.get() >= 0 ? underlay_.get() : underlay_borrowed_; }

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
    std::unique_ptr<struct ::router_bpf, SkelDeleter> skel_;
    UniqueFd router_, vpc_side_, router_tc_, underlay_;
    int router_borrowed_ = -1, vpc_side_borrowed_ = -1, router_tc_borrowed_ = -1, underlay_borrowed_ = -1;
};

// Names under the bpffs folder, for the CLI's and engineers' use (bpftool map dump pinned DIR/NAME).
inline constexpr const char* kRouterProgPin = "xp_router";
inline constexpr const char* kVpcSideProgPin = "xp_vpc_side";
inline constexpr const char* kRouterTcProgPin = "xp_router_tc";
inline constexpr const char* kUnderlayProgPin = "xp_underlay";

}  // namespace xpeer
