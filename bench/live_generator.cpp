#include "live_generator.h"

#include <bpf/bpf.h>
#include <net/if.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "bench.skel.h"
#include "model/error.h"
#include "model/errors.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "netns/pinned_xdp.h"
#include "netns/xdp.h"

namespace xpeer::bench {

void LiveGenerator::Deleter::operator()(bench_bpf* s) const { bench_bpf__destroy(s); }

namespace {

// A BPF_F_MMAPABLE array's values, mapped for the lifetime of this object.
class MappedArray {
public:
    MappedArray(bpf_map* map, size_t value_size) : len_(bpf_map__max_entries(map) * value_size) {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        len_ = (len_ + page - 1) / page * page;
        addr_ = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
        if (addr_ == MAP_FAILED) throw SystemError(std::string("mmap ") + bpf_map__name(map), errno);
    }
    ~MappedArray() { munmap(addr_, len_); }
    MappedArray(const MappedArray&) = delete;
    MappedArray& operator=(const MappedArray&) = delete;
    template <typename T>
    T* as() const {
        return static_cast<T*>(addr_);
    }

private:
    size_t len_;
    void* addr_;
};

}  // namespace

LiveGenerator::LiveGenerator(uint32_t dst_capacity) : skel_(bench_bpf__open()) {
    if (!skel_) throw SystemError("bench_bpf__open", errno);
    if (int err = bpf_map__set_max_entries(skel_->maps.xb_dsts, std::max<uint32_t>(dst_capacity, 1)); err)
        throw SystemError("bpf_map__set_max_entries xb_dsts", -err);
    if (int err = bench_bpf__load(skel_.get()); err) throw SystemError("bench_bpf__load", -err);
}

LiveGenerator::~LiveGenerator() {
    try {
        detach_sink();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xpeer-bench: restoring the sink's interface: %s\n", e.what());
    }
}

void LiveGenerator::configure(const xb_config& cfg, const std::vector<uint64_t>& dsts) {
    if (dsts.size() != cfg.dst_count || dsts.size() > bpf_map__max_entries(skel_->maps.xb_dsts))
        throw errors::invalid_parameter_count(std::to_string(dsts.size()) + " destinations for a generator configured for " +
                                              std::to_string(cfg.dst_count));
    if (!dsts.empty()) {
        MappedArray values(skel_->maps.xb_dsts, sizeof(uint64_t));
        std::copy(dsts.begin(), dsts.end(), values.as<uint64_t>());
    }
    uint32_t key = 0;
    if (bpf_map_update_elem(bpf_map__fd(skel_->maps.xb_config), &key, &cfg, BPF_ANY) != 0)
        throw SystemError("bpf_map_update_elem xb_config", errno);
    longest_ = XB_HEAD_LEN;
    for (uint32_t i = 0; i < cfg.size_count && i < XB_SIZES; ++i) longest_ = std::max(longest_, cfg.sizes[i].frame_len);
    dsts_ = dsts;
    is_v6_ = cfg.is_v6 != 0;
}

void LiveGenerator::attach_sink(const Endpoint& at, const std::string& link_pin, bool check) {
    const int sink = bpf_program__fd(check ? skel_->progs.xb_sink_check : skel_->progs.xb_sink);
    sink_prog_fd_ = sink;
    if (link_pin.empty()) {
        links::attach_xdp(at.netns, at.ifname, sink, false);
        sink_at_ = at;
        return;
    }
    const auto held = pinned_xdp::state(link_pin);
    if (!held || held->ifindex == 0) throw errors::invalid_parameter_sink_link(link_pin + " is not an attached XDP link");
    displaced_prog_fd_ = bpf_prog_get_fd_by_id(held->prog_id);
    if (displaced_prog_fd_ < 0) throw SystemError("bpf_prog_get_fd_by_id " + std::to_string(held->prog_id), errno);
    if (!pinned_xdp::update(link_pin, sink, displaced_prog_fd_))
        throw errors::invalid_parameter_sink_link(link_pin + " changed under the bench");
    sink_pin_ = link_pin;
}

void LiveGenerator::detach_sink() {
    if (sink_pin_.empty()) {
        if (!sink_at_.ifname.empty()) links::detach_xdp(sink_at_.netns, sink_at_.ifname);
    } else {
        pinned_xdp::update(sink_pin_, displaced_prog_fd_, sink_prog_fd_);
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

SinkRecord LiveGenerator::record() const {
    SinkRecord r;
    MappedArray seen(skel_->maps.xb_seen, sizeof(uint64_t)), sizes(skel_->maps.xb_sizes, sizeof(uint64_t));
    std::vector<uint64_t> sent((1u << XB_SEEN_BITS) / 64, 0);
    for (uint64_t w : dsts_) {
        const uint32_t slot = xb_seen_slot(static_cast<uint32_t>(w), static_cast<uint32_t>(w >> 32), is_v6_);
        sent[slot / 64] |= uint64_t{1} << (slot % 64);
    }
    for (size_t i = 0; i < sent.size(); ++i) {
        const uint64_t got = seen.as<uint64_t>()[i];
        r.expected += std::popcount(sent[i]);
        r.distinct += std::popcount(got);
        if (!dsts_.empty()) r.outside += std::popcount(got & ~sent[i]);
    }
    if (dsts_.empty()) r.expected = 1;  // the templates' own destination
    for (uint32_t len = 0; len <= XB_MAX_FRAME; ++len)
        if (uint64_t n = sizes.as<uint64_t>()[len]) r.sizes[len] = n;
    return r;
}

void LiveGenerator::clear_record() {
    MappedArray seen(skel_->maps.xb_seen, sizeof(uint64_t)), sizes(skel_->maps.xb_sizes, sizeof(uint64_t));
    std::memset(seen.as<uint64_t>(), 0, bpf_map__max_entries(skel_->maps.xb_seen) * sizeof(uint64_t));
    std::memset(sizes.as<uint64_t>(), 0, bpf_map__max_entries(skel_->maps.xb_sizes) * sizeof(uint64_t));
}

uint64_t LiveGenerator::generate(const Endpoint& ingress, double seconds, uint32_t batch) {
    return netns::run_in(ingress.netns, [&]() -> uint64_t {
        const unsigned ifindex = if_nametoindex(ingress.ifname.c_str());
        if (!ifindex) throw SystemError("if_nametoindex " + ingress.ifname, errno);
        const uint32_t frame_len = longest_;  // xb_gen cuts the shorter sizes from its tail
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
            opts.batch_size = batch;
            if (bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.xb_gen), &opts) != 0)
                throw SystemError("bpf_prog_test_run_opts xb_gen (live frames)", errno);
            sent += kRepeat;
        }
        return sent;
    });
}

}  // namespace xpeer::bench
