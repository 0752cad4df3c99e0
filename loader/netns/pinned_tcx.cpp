#include "netns/pinned_tcx.h"

#include <bpf/bpf.h>
#include <net/if.h>

#include <cerrno>
#include <filesystem>

#include "model/error.h"
#include "netns/netns.h"
#include "netns/rtnl.h"
#include "netns/xdp.h"
#include "sys/unique_fd.h"

namespace fs = std::filesystem;

namespace xpeer::pinned_tcx {
namespace {

// Debian 12's uapi headers and libbpf 1.1 predate tcx: the kernel's numbers for it (uapi/linux/bpf.h).
constexpr auto kTcxIngress = static_cast<bpf_attach_type>(46);  // BPF_TCX_INGRESS
constexpr uint32_t kLinkTypeTcx = 11;                           // BPF_LINK_TYPE_TCX

std::optional<pinned_xdp::State> tcx_link_state(int fd) {
    bpf_link_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return std::nullopt;
    if (info.type != kLinkTypeTcx) return std::nullopt;
    return pinned_xdp::State{info.xdp.ifindex, info.prog_id};  // tcx's ifindex sits where xdp's does
}

uint32_t prog_id(int prog_fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) throw SystemError("bpf_obj_get_info_by_fd (program)", errno);
    return info.id;
}

std::vector<uint32_t> query(uint32_t idx, const std::string& ifname, const std::string& ns) {
    std::vector<uint32_t> ids(64);
    uint32_t count = static_cast<uint32_t>(ids.size());
    if (bpf_prog_query(static_cast<int>(idx), kTcxIngress, 0, nullptr, ids.data(), &count) != 0)
        throw SystemError("BPF_PROG_QUERY(tcx ingress, " + ifname + ") in " + netns::describe(ns), errno);
    ids.resize(count);
    return ids;
}

}  // namespace

void attach(const std::string& pin, const std::string& ns, const std::string& ifname, int prog_fd, Others others) {
    if (prog_fd < 0)
        throw SystemError(
            "attach the TC router to " + ifname + ": the pinned programs are from a build without it; `xpeer --operator upgrade` adds it",
            ENOENT);
    std::error_code ec;
    fs::create_directories(fs::path(pin).parent_path(), ec);
    if (ec) throw SystemError("mkdir " + fs::path(pin).parent_path().string(), ec.value());
    const uint32_t want = prog_id(prog_fd);
    netns::run_in(ns, [&] {
        const unsigned idx = if_nametoindex(ifname.c_str());
        if (idx == 0) throw SystemError("if_nametoindex(" + ifname + ") in " + netns::describe(ns), errno);
        if (UniqueFd link = pinned_xdp::open_pin(pin)) {
            const auto s = tcx_link_state(link.get());
            if (s && s->ifindex == idx) {
                if (s->prog_id != want && bpf_link_update(link.get(), prog_fd, nullptr) != 0)
                    throw SystemError("bpf_link_update " + pin, errno);
                if (others == Others::DetachXdp) links::detach_xdp_programs(idx, ifname, ns);  // netlink-attached ones
                return;
            }
            // The XDP router's link, or a defunct one: detached now, not when the kernel releases it.
            if (bpf_link_detach(link.get()) != 0 && errno != ENOLINK && errno != EINVAL) throw SystemError("bpf_link_detach " + pin, errno);
            pinned_xdp::unpin(pin);
        }
        if (others == Others::DetachXdp) links::detach_xdp_programs(idx, ifname, ns);
        bpf_link_create_opts opts{};
        opts.sz = sizeof opts;
        UniqueFd link(bpf_link_create(prog_fd, static_cast<int>(idx), kTcxIngress, &opts));
        if (!link) throw SystemError("bpf_link_create(tcx ingress, " + ifname + ") in " + netns::describe(ns), errno);
        if (bpf_obj_pin(link.get(), pin.c_str()) != 0) throw SystemError("bpf_obj_pin " + pin, errno);
    });
}

bool update(const std::string& pin, int prog_fd, int old_prog_fd) {
    const UniqueFd link = pinned_xdp::open_pin(pin);
    if (!link) return false;
    const auto s = tcx_link_state(link.get());
    if (!s || s->ifindex == 0 || old_prog_fd < 0) return false;
    return pinned_xdp::replace_program(link.get(), pin, prog_fd, old_prog_fd);
}

std::optional<pinned_xdp::State> state(const std::string& pin) {
    const UniqueFd link = pinned_xdp::open_pin(pin);
    if (!link) return std::nullopt;
    return tcx_link_state(link.get());
}

std::vector<uint32_t> programs(const std::string& ns, const std::string& ifname) {
    links::check_ifname(ifname);
    if (!links::present(ns)) return {};
    return netns::run_in(ns, [&] {
        const unsigned idx = if_nametoindex(ifname.c_str());
        if (idx == 0) return std::vector<uint32_t>{};
        return query(idx, ifname, ns);
    });
}

}  // namespace xpeer::pinned_tcx
