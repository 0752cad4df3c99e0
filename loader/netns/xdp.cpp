#include "netns/xdp.h"

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>
#include <utility>

#include "model/error.h"
#include "netns/netns.h"
#include "netns/rtnl.h"

namespace xpeer::links {

void detach_xdp_programs(uint32_t idx, const std::string& ifname, const std::string& ns, uint32_t keep) {
    bpf_xdp_query_opts q{};
    q.sz = sizeof q;
    if (int rc = bpf_xdp_query(static_cast<int>(idx), 0, &q); rc < 0)
        throw SystemError("bpf_xdp_query(" + ifname + ") in " + netns::describe(ns), -rc);
    const std::pair<uint32_t, uint32_t> progs[] = {
        {XDP_FLAGS_SKB_MODE, q.skb_prog_id}, {XDP_FLAGS_DRV_MODE, q.drv_prog_id}, {XDP_FLAGS_HW_MODE, q.hw_prog_id}};
    for (const auto& [mode, id] : progs)
        if (id != 0 && mode != keep)
            if (int rc = bpf_xdp_detach(static_cast<int>(idx), mode, nullptr); rc < 0)
                throw SystemError("bpf_xdp_detach(" + ifname + ", prog " + std::to_string(id) + ") in " + netns::describe(ns) +
                                      (rc == -EBUSY ? ": a BPF link holds the interface" : ""),
                                  -rc);
}

void attach_xdp(const std::string& ns, const std::string& ifname, int prog_fd, bool generic) {
    check_ifname(ifname);
    netns::run_in(ns, [&] {
        const uint32_t idx = ifindex_here(ifname, ns);
        const uint32_t mode = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
        detach_xdp_programs(idx, ifname, ns, mode);  // a program in the same mode is replaced atomically
        if (int rc = bpf_xdp_attach(static_cast<int>(idx), prog_fd, mode, nullptr); rc < 0)
            throw SystemError("bpf_xdp_attach(" + ifname + ", " + (generic ? "generic" : "native") + ") in " + netns::describe(ns), -rc);
    });
}

void detach_xdp(const std::string& ns, const std::string& ifname) {
    check_ifname(ifname);
    netns::run_in(ns, [&] {
        if (const unsigned idx = if_nametoindex(ifname.c_str())) detach_xdp_programs(idx, ifname, ns);
    });
}

uint32_t xdp_program_id(const std::string& ns, const std::string& ifname) {
    check_ifname(ifname);
    if (!present(ns)) return 0;
    return netns::run_in(ns, [&] {
        const unsigned idx = if_nametoindex(ifname.c_str());
        if (idx == 0) return 0u;
        bpf_xdp_query_opts opts{};
        opts.sz = sizeof(opts);
        if (int rc = bpf_xdp_query(static_cast<int>(idx), 0, &opts); rc < 0)
            throw SystemError("bpf_xdp_query(" + ifname + ") in " + netns::describe(ns), -rc);
        return opts.drv_prog_id ? opts.drv_prog_id : opts.skb_prog_id;
    });
}

}  // namespace xpeer::links
