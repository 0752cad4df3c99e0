#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sys/unique_fd.h"

// XDP programs attached through BPF links pinned in bpffs. The pin keeps the attachment when the
// command that made it exits, a netlink attach (`ip link set xdp`) cannot displace it, and
// bpf_link_update swaps its program in one step. A pin's link ends with its interface: it is then
// defunct (ifindex 0) until unpinned.
namespace xpeer::pinned_xdp {

// Makes the link pinned at `pin` run prog_fd on ifname in netns ("" = the caller's), in generic
// or native mode. A pinned link already on that interface in that mode is kept and, if it runs
// another program, updated; a defunct pin, or one on another interface or mode, is replaced. A
// program attached by netlink is detached first. Killed between the link's creation and its pin,
// the process's exit detaches the link: nothing half-made stays attached.
void attach(const std::string& pin, const std::string& netns, const std::string& ifname, int prog_fd, bool generic);

// Swaps old_prog_fd's program for prog_fd's on the pinned link in one step. False, and nothing
// changed, if nothing is pinned there, or the link is defunct or runs another program.
bool update(const std::string& pin, int prog_fd, int old_prog_fd);

// The link pinned at `pin`; an empty fd if nothing is pinned there. The TC router's links too.
UniqueFd open_pin(const std::string& pin);
// bpf_link_update with BPF_F_REPLACE on the pinned link: false, and nothing changed, if it runs
// another program than old_prog_fd's or was detached meanwhile. The TC router's links too.
bool replace_program(int link_fd, const std::string& pin, int prog_fd, int old_prog_fd);

struct State {
    uint32_t ifindex = 0;  // in the interface's namespace; 0: the interface is gone
    uint32_t prog_id = 0;
};
// What the pinned link holds; nullopt if nothing (or no XDP link) is pinned there.
std::optional<State> state(const std::string& pin);

// The names pinned in dir, sorted; none if dir is missing.
std::vector<std::string> list(const std::string& dir);

// Detaches the link pinned there now, not once the kernel releases it, and removes the pin.
// Nothing pinned there is fine.
void detach(const std::string& pin);

// Removes the pin; its link detaches unless another holder keeps it, once the kernel releases it
// (after an RCU grace period, not at once). A missing pin is fine.
void unpin(const std::string& pin);

}  // namespace xpeer::pinned_xdp
