#pragma once
#include <memory>
#include <optional>
#include <string>

#include "datapath/cpu_array.h"
#include "datapath/typed_map.h"
#include "sys/unique_fd.h"
#include "xpeer/bpf_abi.h"

struct router_bpf;  // the skeleton of bpf/router.bpf.c

namespace xpeer {

// The router's programs and maps. Pinned under one bpffs folder, so that the data plane
// outlives every process; or, for tests, loaded unpinned and owned by this object.
class Datapath {
public:
    // Opens what is pinned under dir, loading and pinning programs and maps first if needed.
    static Datapath open_or_load(const std::string& dir);
    // Opens what is pinned under dir, or nullopt if nothing is.
    static std::optional<Datapath> open_pinned(const std::string& dir);
    // Loads a private copy that nothing else sees (BPF tests).
    static Datapath load_unpinned();
    // A new build's programs for the maps pinned under dir. The maps are reused, never copied: a
    // pinned map of another type, key or value size, size or flags is Error("Datapath.MapLayout")
    // naming it, and nothing changes. The new programs take the old ones' pins by rename(2), so
    // that a command never finds none pinned; attaching them is the caller's (Kernel::upgrade).
    struct ProgramSwap {
        UniqueFd old_router, old_vpc_side;  // what the pins named before
        UniqueFd router, vpc_side;
    };
    static ProgramSwap replace_programs(const std::string& dir);
    // The kernel's id of the program behind fd (0 if none): what an interface's XDP query reports.
    static uint32_t program_id(int fd);
    // Removes the folder and every pin in it. The BPF links pinned there (Kernel's links/ folder)
    // go too, and with them the programs they attached.
    static void unpin(const std::string& dir);
    // Mounts bpffs at /sys/fs/bpf if it is not there (the default folder's parent).
    static void ensure_bpffs();

    Datapath(Datapath&&) noexcept;
    Datapath& operator=(Datapath&&) noexcept;
    ~Datapath();

    int router_fd() const { return router_.get() >= 0 ? router_.get() : router_borrowed_; }
    int vpc_side_fd() const { return vpc_side_.get() >= 0 ? vpc_side_.get() : vpc_side_borrowed_; }

    TypedMap<xp_lpm_key_v4, xp_route> routes_v4;
    TypedMap<xp_lpm_key_v6, xp_route> routes_v6;
    CpuArray<xp_port> ports;  // by datapath-side ifindex: each CPU's copy of the VPC, and its counters
    TypedMap<uint32_t, xp_peering> peerings;
    CpuArray<xp_link_counters> link_stats;
    TypedMap<uint32_t, xp_policer> policers;
    CpuArray<xp_verdicts> verdicts;  // index 0: each CPU's counters by reason and by route cache answer
    TypedMap<xp_cache_key_v4, xp_cached_route> route_cache_v4;
    TypedMap<xp_cache_key_v6, xp_cached_route> route_cache_v6;
    CpuArray<xp_route_memo_set> route_memo_v4;
    CpuArray<xp_route_memo_set> route_memo_v6;
    TypedMap<uint32_t, xp_control> control;  // key 0

    xp_control read_control() const;
    void write_control(const xp_control& c);
    // Makes every cached route stale; called after the tries, ports or peerings changed.
    void bump_generation();

private:
    Datapath() = default;
    struct SkelDeleter {
        void operator()(struct ::router_bpf* s) const;
    };
    std::unique_ptr<struct ::router_bpf, SkelDeleter> skel_;
    UniqueFd router_, vpc_side_;
    int router_borrowed_ = -1, vpc_side_borrowed_ = -1;
};

// Names under the bpffs folder, for the CLI's and engineers' use (bpftool map dump pinned DIR/NAME).
inline constexpr const char* kRouterProgPin = "xp_router";
inline constexpr const char* kVpcSideProgPin = "xp_vpc_side";

}  // namespace xpeer
