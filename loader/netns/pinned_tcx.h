#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netns/pinned_xdp.h"

// The router's TC twin on tc ingress (tcx, Linux 6.6) of an interface, attached through a BPF link
// pinned in bpffs, as the XDP programs are (netns/pinned_xdp.h): the pin keeps the attachment
// when the command exits, and bpf_link_update swaps its program in one step.
namespace xpeer::pinned_tcx {

// Makes the link pinned at `pin` run prog_fd on tc ingress of ifname in netns ("" = the caller's).
// A tcx link pinned there on that interface is kept and, if it runs another program, updated;
// anything else pinned there (the XDP router's link) is detached and replaced. DetachXdp: XDP
// programs on the interface are detached too (a vSwitch veth: the twin carries every frame
// there); KeepOthers: they stay (a host's NIC, where the operator may run their own).
enum class Others { DetachXdp, KeepOthers };
void attach(const std::string& pin, const std::string& netns, const std::string& ifname, int prog_fd, Others others = Others::DetachXdp);

// Swaps old_prog_fd's program for prog_fd's on the pinned tcx link in one step. False, and
// nothing changed, if no tcx link is pinned there, or it is defunct or runs another program.
bool update(const std::string& pin, int prog_fd, int old_prog_fd);

// What the pinned link holds; nullopt if nothing, or no tcx link, is pinned there.
std::optional<pinned_xdp::State> state(const std::string& pin);

// The ids of the programs on tc ingress (tcx) of the interface, in the order they run; none if
// the interface or its namespace is missing.
std::vector<uint32_t> programs(const std::string& netns, const std::string& ifname);

}  // namespace xpeer::pinned_tcx
