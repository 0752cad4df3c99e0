#pragma once
// The real router program, unpinned, with maps filled by the real compiler from a small
// topology. Frames enter through veth devices in a namespace of the test's own, because
// BPF_PROG_TEST_RUN resolves ctx.ingress_ifindex in the caller's namespace.
//
//   VPC A 10.1.0.0/16 fd00:a::/48   vsw-a1 10.1.1.0/24  vsw-a2 10.1.2.0/24
//   VPC B 10.2.0.0/16 fd00:b::/48   vsw-b1 10.2.1.0/24
//   VPC C 10.3.0.0/16               vsw-c1 10.3.1.0/24
//   pcc-ab (A->B, Activated, slot 5)   pcc-bc (B->C, Activated, slot 6)
//   pcc-ac (A->C, Peer Accepting, slot 7)
//   A: 10.2.0.0/16, fd00:b::/48 -> pcc-ab;  10.3.0.0/16 -> pcc-ab (transit attempt);  10.5.0.0/16 -> pcc-ac
//   B: 10.1.0.0/16, fd00:a::/48 -> pcc-ab;  10.3.0.0/16 -> pcc-bc
#include <bpf/bpf.h>
#include <sched.h>

#include <string>

#include "compiler/compiler.h"
#include "datapath/bpf_router.h"
#include "datapath/reconcile.h"
#include "frame_builder.h"

namespace xpeer::test {

using frames::arp_frame;
using frames::Frame;
using frames::frame_iphdr;
using frames::frame_ipv6hdr;
using frames::ipv4_checksum;
using frames::udp_frame;

// The MAC of vSwitch n's link end: side 1 the datapath's, side 2 the VPC's. Its second and third
// 16-bit words both name the end, since the router copies MACs a word at a time.
Mac fixture_mac(uint8_t side, uint8_t n);

struct RunResult {
    int ret = -1;  // XDP action (run), tc action (run_tc)
    Frame out;
};

// Runs the calling thread on one CPU while it lives: per-CPU state (counters, the policer's
// stash) then behaves as it does for a flow that stays on one CPU.
class OnCpu {
public:
    explicit OnCpu(int cpu);
    ~OnCpu();
    OnCpu(const OnCpu&) = delete;
    OnCpu& operator=(const OnCpu&) = delete;

private:
    cpu_set_t saved_{};
};

class RouterFixture {
public:
    RouterFixture();
    ~RouterFixture();
    RouterFixture(const RouterFixture&) = delete;
    RouterFixture& operator=(const RouterFixture&) = delete;

    RunResult run(const Frame& in, uint32_t ingress_ifindex);
    // The TC twin on the same frame, as a socket buffer; gso_segs > 1 makes it a GSO super-packet.
    RunResult run_tc(const Frame& in, uint32_t ingress_ifindex, uint32_t gso_segs = 0, uint32_t gso_size = 0);
    // The underlay's decapsulation (xp_underlay) on a frame arriving from another host.
    RunResult run_underlay(const Frame& in, uint32_t ingress_ifindex);
    // Its twin on tc ingress (xp_underlay_tc), as run_tc runs the router's.
    RunResult run_underlay_tc(const Frame& in, uint32_t ingress_ifindex, uint32_t gso_segs = 0, uint32_t gso_size = 0);
    // Runs the program on a live frame: a redirect really transmits it (BPF_F_TEST_XDP_LIVE_FRAMES).
    void run_live(const Frame& in, uint32_t ingress_ifindex);
    // Packets received by an interface of the test's namespace (the VPC ends are "a1p", "b1p", ...).
    uint64_t rx_packets(const std::string& ifname);
    xp_counters reason(enum xp_reason r);
    // Packets whose route `lookup` decided, over all CPUs.
    uint64_t lookups(enum xp_lookup lookup);
    // The port on ifindex (fx.if_a1, ...), its counters summed over the CPUs.
    xp_port port(uint32_t ifindex);
    LinkCounters link(uint32_t slot, xp_direction dir);

    BpfRouter dp;

private:
    int test_run(int prog_fd, const Frame& in, uint32_t ingress_ifindex, Frame* out);
    RunResult run_skb(int prog_fd, const Frame& in, uint32_t ingress_ifindex, uint32_t gso_segs, uint32_t gso_size);

public:
    Snapshot snapshot;
    PortMap ports;
    uint32_t if_a1 = 0, if_a2 = 0, if_b1 = 0, if_c1 = 0;
    std::string netns;
};

}  // namespace xpeer::test
