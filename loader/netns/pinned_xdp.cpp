#include "netns/pinned_xdp.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "model/error.h"
#include "netns/netns.h"
#include "netns/xdp.h"
#include "sys/unique_fd.h"

namespace fs = std::filesystem;

namespace xpeer::pinned_xdp {
namespace {

// The link's interface and program; nullopt if fd is not an XDP link.
std::optional<State> xdp_link_state(int fd) {
    bpf_link_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return std::nullopt;  // a program or map pinned there
    if (info.type != BPF_LINK_TYPE_XDP) return std::nullopt;
    return State{info.xdp.ifindex, info.prog_id};
}

uint32_t prog_id(int prog_fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) throw SystemError("bpf_obj_get_info_by_fd (program)", errno);
    return info.id;
}

// What netlink reports for the interface: the program of `mode`, 0 if it runs none in that mode.
uint32_t attached_in_mode(uint32_t idx, uint32_t mode, const std::string& ifname, const std::string& ns) {
    bpf_xdp_query_opts q{};
    q.sz = sizeof q;
    if (int rc = bpf_xdp_query(static_cast<int>(idx), 0, &q); rc < 0)
        throw SystemError("bpf_xdp_query(" + ifname + ") in " + netns::describe(ns), -rc);
    return mode == XDP_FLAGS_SKB_MODE ? q.skb_prog_id : q.drv_prog_id;
}

}  // namespace

void attach(const std::string& pin, const std::string& ns, const std::string& ifname, int prog_fd, bool generic) {
    std::error_code ec;
    fs::create_directories(fs::path(pin).parent_path(), ec);
    if (ec) throw SystemError("mkdir " + fs::path(pin).parent_path().string(), ec.value());
    const uint32_t mode = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
    const uint32_t want = prog_id(prog_fd);
    netns::run_in(ns, [&] {
        const unsigned idx = if_nametoindex(ifname.c_str());
        if (idx == 0) throw SystemError("if_nametoindex(" + ifname + ") in " + netns::describe(ns), errno);
        if (UniqueFd link = open_pin(pin)) {
            const auto s = xdp_link_state(link.get());
            if (s && s->ifindex == idx && attached_in_mode(idx, mode, ifname, ns) == s->prog_id) {
                if (s->prog_id != want && bpf_link_update(link.get(), prog_fd, nullptr) != 0)
                    throw SystemError("bpf_link_update " + pin, errno);
                return;
            }
            // Defunct, elsewhere, or another kind (the TC twin's tcx link). The kernel releases an
            // unpinned link later (after an RCU grace period): detached now, so that the new link
            // finds the interface free and nothing else runs there meanwhile.
            if ((!s || s->ifindex != 0) && bpf_link_detach(link.get()) != 0 && errno != ENOLINK && errno != EINVAL)
                throw SystemError("bpf_link_detach " + pin, errno);
            unpin(pin);
        }
        links::detach_xdp_programs(idx, ifname, ns);  // a link cannot replace a program attached by netlink
        bpf_link_create_opts opts{};
        opts.sz = sizeof opts;
        opts.flags = mode;
        UniqueFd link(bpf_link_create(prog_fd, static_cast<int>(idx), BPF_XDP, &opts));
        if (!link)
            throw SystemError("bpf_link_create(XDP, " + ifname + ", " + (generic ? "generic" : "native") + ") in " + netns::describe(ns),
                              errno);
        if (bpf_obj_pin(link.get(), pin.c_str()) != 0) throw SystemError("bpf_obj_pin " + pin, errno);
    });
}

bool update(const std::string& pin, int prog_fd, int old_prog_fd) {
    const UniqueFd link = open_pin(pin);
    if (!link) return false;
    const auto s = xdp_link_state(link.get());
    if (!s || s->ifindex == 0) return false;
    return replace_program(link.get(), pin, prog_fd, old_prog_fd);
}

UniqueFd open_pin(const std::string& pin) {
    const int fd = bpf_obj_get(pin.c_str());
    if (fd < 0 && errno != ENOENT) throw SystemError("bpf_obj_get " + pin, errno);
    return UniqueFd(fd);
}

bool replace_program(int link_fd, const std::string& pin, int prog_fd, int old_prog_fd) {
    bpf_link_update_opts opts{};
    opts.sz = sizeof opts;
    opts.flags = BPF_F_REPLACE;
    opts.old_prog_fd = static_cast<uint32_t>(old_prog_fd);
    if (bpf_link_update(link_fd, prog_fd, &opts) == 0) return true;
    if (errno == EPERM || errno == ENOLINK) return false;  // another program than old_prog_fd's; or detached meanwhile
    throw SystemError("bpf_link_update " + pin, errno);
}

std::optional<State> state(const std::string& pin) {
    const UniqueFd link = open_pin(pin);
    if (!link) return std::nullopt;
    return xdp_link_state(link.get());
}

std::vector<std::string> list(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

void detach(const std::string& pin) {
    if (const UniqueFd link = open_pin(pin); link && bpf_link_detach(link.get()) != 0 && errno != ENOLINK && errno != EINVAL)
        throw SystemError("bpf_link_detach " + pin, errno);
    unpin(pin);
}

void unpin(const std::string& pin) {
    if (::unlink(pin.c_str()) != 0 && errno != ENOENT) throw SystemError("unlink " + pin, errno);
}

}  // namespace xpeer::pinned_xdp
