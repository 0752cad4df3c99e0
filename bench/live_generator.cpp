#include "live_generator.h"

#include <bpf/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdio>

#include <chrono>
#include <vector>

#include "bench.skel.h"
#include "model/error.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "netns/pinned_xdp.h"
#include "netns/xdp.h"

namespace xpeer::bench {

void LiveGenerator::Deleter::operator()(bench_bpf* s) const { bench_bpf__destroy(s); }

LiveGenerator::LiveGenerator() : skel_(bench_bpf__open_and_load()) {
    if (!skel_) throw SystemError("bench_bpf__open_and_load", errno);
}

LiveGenerator::~LiveGenerator() {
    try {
        detach_sink();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xpeer-bench: restoring the sink's interface: %s\n", e.what());
    }
}

void LiveGenerator::configure(const xb_config& cfg) {
    uint32_t key = 0;
    if (bpf_map_update_elem(bpf_map__fd(skel_->maps.xb_config), &key, &cfg, BPF_ANY) != 0)
        throw SystemError("bpf_map_update_elem xb_config", errno);
}

void LiveGenerator::attach_sink(const Endpoint& at, const std::string& link_pin) {
    const int sink = bpf_program__fd(skel_->progs.xb_sink);
    if (link_pin.empty()) {
        links::attach_xdp(at.netns, at.ifname, sink, false);
        sink_at_ = at;
        return;
    }
    const auto held = pinned_xdp::state(link_pin);
    if (!held || held->ifindex == 0) throw Error("InvalidParameter.SinkLink", link_pin + " is not an attached XDP link");
    displaced_prog_fd_ = bpf_prog_get_fd_by_id(held->prog_id);
    if (displaced_prog_fd_ < 0) throw SystemError("bpf_prog_get_fd_by_id " + std::to_string(held->prog_id), errno);
    if (!pinned_xdp::update(link_pin, sink, displaced_prog_fd_))
        throw Error("InvalidParameter.SinkLink", link_pin + " changed under the bench");
    sink_pin_ = link_pin;
}

void LiveGenerator::detach_sink() {
    if (sink_pin_.empty()) {
        if (!sink_at_.ifname.empty()) links::detach_xdp(sink_at_.netns, sink_at_.ifname);
    } else {
        pinned_xdp::update(sink_pin_, displaced_prog_fd_, bpf_program__fd(skel_->progs.xb_sink));
        ::close(displaced_prog_fd_);
    }
    sink_at_ = {};
    sink_pin_.clear();
    displaced_prog_fd_ = -1;
}
void LiveGenerator::attach_redirect(const Endpoint& at) {
    links::attach_xdp(at.netns, at.ifname, bpf_program__fd(skel_->progs.xb_redirect), false);
}
void LiveGenerator::attach_pass(const Endpoint& at) {
    links::attach_xdp(at.netns, at.ifname, bpf_program__fd(skel_->progs.xb_pass), false);
}

uint64_t LiveGenerator::received() const {
    const int cpus = libbpf_num_possible_cpus();
    std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
    uint32_t key = 0;
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.xb_received), &key, per_cpu.data()) != 0)
        throw SystemError("bpf_map_lookup_elem xb_received", errno);
    uint64_t n = 0;
    for (auto v : per_cpu) n += v;
    return n;
}

uint64_t LiveGenerator::generate(const Endpoint& ingress, double seconds, uint32_t frame_len) {
    return netns::run_in(ingress.netns, [&]() -> uint64_t {
        const unsigned ifindex = if_nametoindex(ingress.ifname.c_str());
        if (!ifindex) throw SystemError("if_nametoindex " + ingress.ifname, errno);
        std::vector<uint8_t> frame(frame_len, 0);
        xdp_md ctx{};
        ctx.ingress_ifindex = ifindex;
        ctx.data_end = frame_len;  // the kernel wants the frame's extent in the context too
        constexpr uint32_t kRepeat = 1 << 16;
        uint64_t sent = 0;
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < until) {
            bpf_test_run_opts opts{};
            opts.sz = sizeof(opts);
            opts.data_in = frame.data();
            opts.data_size_in = frame_len;
            opts.ctx_in = &ctx;
            opts.ctx_size_in = sizeof(ctx);
            opts.repeat = kRepeat;
            opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
            opts.batch_size = 64;
            if (bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.xb_gen), &opts) != 0)
                throw SystemError("bpf_prog_test_run_opts xb_gen (live frames)", errno);
            sent += kRepeat;
        }
        return sent;
    });
}

}  // namespace xpeer::bench
