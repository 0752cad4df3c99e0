#pragma once
// The bench's traffic generator and sink: bpf/bench.bpf.c, loaded privately. The generator is
// run with BPF_F_TEST_XDP_LIVE_FRAMES, so every frame is really transmitted; the sink counts
// what arrives and drops it.
#include <cstdint>
#include <memory>
#include <string>

#include "xpeer/bench_abi.h"

struct bench_bpf;

namespace xpeer::bench {

struct Endpoint {
    std::string netns;  // "" = the caller's
    std::string ifname;
};

class LiveGenerator {
public:
    LiveGenerator();
    ~LiveGenerator();
    LiveGenerator(const LiveGenerator&) = delete;
    LiveGenerator& operator=(const LiveGenerator&) = delete;

    void configure(const xb_config& cfg);
    // The sink on `at`; with link_pin, the XDP program of that pinned BPF link (xpeer's VPC-side
    // program, which a netlink attach cannot displace) is swapped for the sink until detach_sink.
    void attach_sink(const Endpoint& at, const std::string& link_pin = "");
    void detach_sink();
    // The bare hop: frames arriving at `at` leave through config's redirect_ifindex.
    void attach_redirect(const Endpoint& at);
    void attach_pass(const Endpoint& at);
    uint64_t received() const;  // by the sink, all CPUs

    // Transmits frames of frame_len bytes through config's out_ifindex, as if received on
    // `ingress` (whose namespace the out interface must share), for `seconds`. Returns how many.
    uint64_t generate(const Endpoint& ingress, double seconds, uint32_t frame_len);

private:
    struct Deleter {
        void operator()(bench_bpf* s) const;
    };
    std::unique_ptr<bench_bpf, Deleter> skel_;
    Endpoint sink_at_;
    std::string sink_pin_;
    int displaced_prog_fd_ = -1;  // what the pinned link ran before the sink
};

}  // namespace xpeer::bench
