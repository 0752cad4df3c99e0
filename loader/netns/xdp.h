#pragma once
#include <cstdint>
#include <string>

// XDP programs attached by netlink (not through a BPF link). Namespace "" is the caller's own.
namespace xpeer::links {

// bpf_xdp_attach inside the namespace; replaces any program, in either mode. The vSwitch veths
// are attached through pinned BPF links instead (netns/pinned_xdp.h): this is for tests and bench.
void attach_xdp(const std::string& netns, const std::string& ifname, int prog_fd, bool generic);
void detach_xdp(const std::string& netns, const std::string& ifname);  // a missing interface is fine

// The id of the XDP program attached to the interface in either mode; 0 if none, or if the
// interface or its namespace is missing.
uint32_t xdp_program_id(const std::string& netns, const std::string& ifname);
// Detaches the programs of every XDP mode but `keep_mode` (the kernel allows one mode at a time)
// from interface idx of the current namespace; `ifname` and `ns` are for the error's context.
void detach_xdp_programs(uint32_t idx, const std::string& ifname, const std::string& ns, uint32_t keep_mode = 0);

}  // namespace xpeer::links
