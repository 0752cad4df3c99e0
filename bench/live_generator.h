#pragma once
// The bench's traffic generator and sink: bpf/bench.bpf.c, loaded privately. The generator is
// run with BPF_F_TEST_XDP_LIVE_FRAMES, so every frame is really transmitted; the sink counts
// what arrives and drops it.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xpeer/bench_abi.h"

struct bench_bpf;

namespace xpeer::bench {

struct Endpoint {
    std::string netns;  // "" = the caller's
    std::string ifname;
};

// What the checking sink recorded since the last clear_record.
struct SinkRecord {
    uint64_t expected = 0;               // bits of xb_seen the generated destinations have (fewer than them if two share one)
    uint64_t distinct = 0;               // bits set by what arrived
    uint64_t outside = 0;                // ... of which no generated destination has
    std::map<uint32_t, uint64_t> sizes;  // frame length -> frames
};

class LiveGenerator {
public:
    // dst_capacity: the most destinations configure will be given.
    explicit LiveGenerator(uint32_t dst_capacity);
    ~LiveGenerator();
    LiveGenerator(const LiveGenerator&) = delete;
    LiveGenerator& operator=(const LiveGenerator&) = delete;

    // cfg.dst_count of dsts (bench/traffic.h builds both).
    void configure(const xb_config& cfg, const std::vector<uint64_t>& dsts);
    // The sink on `at`; with link_pin, the XDP program of that pinned BPF link (xpeer's VPC-side
    // program, which a netlink attach cannot displace) is swapped for the sink until detach_sink.
    // check: the sink that also records destinations and frame lengths (record()).
    void attach_sink(const Endpoint& at, const std::string& link_pin = "", bool check = false);
    void detach_sink();
    // The bare hop: frames arriving at `at` leave through config's redirect_ifindex.
    void attach_redirect(const Endpoint& at);
    void attach_pass(const Endpoint& at);
    uint64_t received() const;  // by the sink, all CPUs
    SinkRecord record() const;
    void clear_record();

    // Transmits frames through config's out_ifindex, as if received on `ingress` (whose namespace
    // the out interface must share), for `seconds`, `batch` frames to a batch. Returns how many.
    uint64_t generate(const Endpoint& ingress, double seconds, uint32_t batch);

private:
    struct Deleter {
        void operator()(bench_bpf* s) const;
    };
    std::unique_ptr<bench_bpf, Deleter> skel_;
    uint32_t longest_ = XB_HEAD_LEN;  // the configured sizes' longest: the run's frame
    std::vector<uint64_t> dsts_;
    bool is_v6_ = false;
    Endpoint sink_at_;
    std::string sink_pin_;
    int sink_prog_fd_ = -1;
    int displaced_prog_fd_ = -1;  // what the pinned link ran before the sink
};

}  // namespace xpeer::bench
