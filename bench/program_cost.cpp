#include "program_cost.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <net/if.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "bench.skel.h"
#include "model/error.h"
#include "netns/netns.h"
#include "router.skel.h"
#include "sys/unique_fd.h"
#include "xpeer/bench_abi.h"

namespace xpeer::bench {
namespace {

std::string folder_of(const std::string& pin) { return pin.substr(0, pin.rfind('/')); }

struct BenchDeleter {
    void operator()(bench_bpf* s) const { bench_bpf__destroy(s); }
};

// A second xp_router, loaded with xp_unaccounted set (no counters, no policer), on the maps
// pinned beside `pin`.
class Unaccounted {
public:
    explicit Unaccounted(const std::string& pin) : skel_(router_bpf__open()) {
        if (!skel_) throw SystemError("open the router's skeleton", errno);
        skel_->rodata->xp_unaccounted = 1;
        bpf_map* map;
        bpf_object__for_each_map(map, skel_->obj) {
            if (bpf_map__is_internal(map)) continue;  // its .rodata, holding the setting above
            const std::string path = folder_of(pin) + "/" + bpf_map__name(map);
            UniqueFd fd(bpf_obj_get(path.c_str()));
            if (fd.get() < 0) throw SystemError("bpf_obj_get " + path, errno);
            if (int err = bpf_map__reuse_fd(map, fd.get()); err) throw SystemError("bpf_map__reuse_fd " + path, -err);
        }
        if (int err = router_bpf__load(skel_.get()); err) throw SystemError("load the unaccounted router", -err);
    }
    int fd() const { return bpf_program__fd(skel_->progs.xp_router); }

private:
    struct Deleter {
        void operator()(router_bpf* s) const { router_bpf__destroy(s); }
    };
    std::unique_ptr<router_bpf, Deleter> skel_;
};

}  // namespace

std::vector<CostTrial> program_cost(const std::string& pin, bool paired_unaccounted, const Endpoint& ingress,
                                    const std::vector<uint8_t>& frame, uint32_t dst_count, uint32_t repeat, int trials) {
    if (frame.size() < XB_COST_FRAME_LEN)
        throw Error("InvalidFrame", "the cost frame must be at least " + std::to_string(XB_COST_FRAME_LEN) + " bytes");
    std::unique_ptr<bench_bpf, BenchDeleter> skel(bench_bpf__open_and_load());
    if (!skel) throw SystemError("bench_bpf__open_and_load", errno);
    std::optional<Unaccounted> unaccounted;
    if (paired_unaccounted) unaccounted.emplace(pin);
    UniqueFd pinned(bpf_obj_get(pin.c_str()));
    if (pinned.get() < 0) throw SystemError("bpf_obj_get " + pin, errno);
    const int target = pinned.get();
    const uint32_t key = 0;
    xb_frame template_frame{};
    std::memcpy(template_frame.bytes, frame.data(), sizeof(template_frame.bytes));
    template_frame.dst_count = dst_count;
    template_frame.is_v6 = reinterpret_cast<const ethhdr*>(frame.data())->h_proto == htons(ETH_P_IPV6);
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.xb_frame), &key, &template_frame, BPF_ANY) != 0)
        throw SystemError("write xb_frame", errno);
    const int targets = bpf_map__fd(skel->maps.xb_target);
    const int empty = bpf_program__fd(skel->progs.xb_pass);

    return netns::run_in(ingress.netns, [&] {
        xdp_md ctx{};
        ctx.ingress_ifindex = if_nametoindex(ingress.ifname.c_str());
        ctx.data_end = static_cast<uint32_t>(frame.size());
        if (!ctx.ingress_ifindex) throw SystemError("if_nametoindex " + ingress.ifname, errno);
        const uint32_t round_repeat = (repeat + kRounds - 1) / kRounds;  // at least 1
        auto run = [&](int prog, uint32_t* retval, uint32_t times) {
            if (bpf_map_update_elem(targets, &key, &prog, BPF_ANY) != 0) throw SystemError("write xb_target", errno);
            std::vector<uint8_t> out(frame.size() + 256);
            bpf_test_run_opts opts{};
            opts.sz = sizeof(opts);
            opts.data_in = frame.data();
            opts.data_size_in = static_cast<uint32_t>(frame.size());
            opts.data_out = out.data();
            opts.data_size_out = static_cast<uint32_t>(out.size());
            opts.ctx_in = &ctx;
            opts.ctx_size_in = sizeof(ctx);
            opts.repeat = times;
            if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xb_cost), &opts) != 0)
                throw SystemError("bpf_prog_test_run_opts (cost of " + pin + ")", errno);
            if (retval) *retval = opts.retval;
            return static_cast<double>(opts.duration);
        };
        // n random draws among d destinations miss a given one with probability e^(-n/d): 3d draws see 95%.
        if (dst_count > 1)
            for (uint64_t drawn = 0; drawn < 3ull * dst_count; drawn += repeat) run(target, nullptr, repeat);
        std::vector<CostTrial> out;
        for (int t = 0; t < trials; ++t) {
            struct Rounds {  // one program's rounds in a trial
                double sum = 0, fastest = std::numeric_limits<double>::infinity();
                void add(double ns) {
                    fastest = std::min(fastest, ns);
                    sum += ns;
                }
                double mean() const { return sum / kRounds; }
            } base, routed, plain;
            CostTrial trial;
            std::vector<double> paired;          // each round's router minus its unaccounted build
            for (int r = 0; r < kRounds; ++r) {  // the router and its unaccounted build alternate in going first
                base.add(run(empty, nullptr, round_repeat));
                double without = 0;
                if (unaccounted && r % 2) without = run(unaccounted->fd(), &trial.unaccounted_retval, round_repeat);
                const double with = run(target, &trial.retval, round_repeat);
                if (unaccounted && r % 2 == 0) without = run(unaccounted->fd(), &trial.unaccounted_retval, round_repeat);
                routed.add(with);
                if (unaccounted) {
                    plain.add(without);
                    paired.push_back(with - without);
                }
            }
            trial.baseline_ns = base.mean();
            trial.ns = routed.mean() - base.mean();
            trial.fastest_ns = routed.fastest - base.fastest;
            if (unaccounted) {
                trial.unaccounted_ns = plain.mean() - base.mean();
                trial.fastest_unaccounted_ns = plain.fastest - base.fastest;
                std::sort(paired.begin(), paired.end());
                trial.paired_median_ns = (paired[(kRounds - 1) / 2] + paired[kRounds / 2]) / 2;
            }
            out.push_back(trial);
        }
        return out;
    });
}

}  // namespace xpeer::bench
