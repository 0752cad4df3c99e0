// xpeer-bench: one measurement for tools/bench. tools/bench builds the topology (namespaces,
// veths, xpeer or the kernel in between); this attaches the sink (and the bare hop), runs the
// live-frames generator and prints, per trial, the packets per second the sink received.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <unistd.h>

#include "cli/exit_status.h"
#include "frame_builder.h"
#include "live_generator.h"
#include "model/cidr.h"
#include "model/error.h"
#include "model/errors.h"
#include "model/mac.h"
#include "netns/links.h"
#include "netns/netns.h"
#include "netns/xdp.h"
#include "program_cost.h"
#include "sys/unique_fd.h"
#include "traffic.h"
#include "xpeer/bpf_abi.h"

using namespace xpeer;

namespace {

bench::Endpoint endpoint(const std::string& spec) {  // NETNS/IFNAME
    auto slash = spec.find('/');
    if (slash == std::string::npos) throw Error("InvalidEndpoint", "'" + spec + "' is not NETNS/IFNAME");
    return {spec.substr(0, slash), spec.substr(slash + 1)};
}

}  // namespace

// Switches the compiled lookups of a pinned data plane: off, the LPM tries decide every packet.
int switch_compiled(const std::string& bpffs, bool on) {
    const std::string path = bpffs + "/xp_control";
    UniqueFd fd(bpf_obj_get(path.c_str()));
    if (fd.get() < 0) throw SystemError("bpf_obj_get " + path, errno);
    const uint32_t key = 0;
    xp_control c{};
    if (bpf_map_lookup_elem(fd.get(), &key, &c) != 0) throw SystemError("read " + path, errno);
    c.compiled_off = on ? 0 : 1;
    if (bpf_map_update_elem(fd.get(), &key, &c, BPF_ANY) != 0) throw SystemError("write " + path, errno);
    return 0;
}

int main(int argc, char** argv) {
    CLI::App app{"xpeer-bench: live-frames generator -> (path under test) -> counting sink; or one program's cost"};
    std::string gen, sink, redirect, redirect_to, pass, smac, dmac, src, dst, cost_pin, cost_at;
    uint32_t count = 1, frame_len = 64, repeat = 1000000;
    double seconds = 2;
    int trials = 5;
    app.add_option("--gen", gen, "NETNS/IFNAME the generator transmits through");
    app.add_option("--sink", sink, "NETNS/IFNAME where the sink counts");
    std::string sink_link;
    app.add_option("--sink-link", sink_link, "... in place of the program of this pinned XDP link (an xpeer vSwitch end), restored after");
    app.add_option("--redirect", redirect, "NETNS/IFNAME: a bare XDP redirect hop here ...");
    app.add_option("--redirect-to", redirect_to, "... out of this interface (same namespace)");
    app.add_option("--pass", pass, "NETNS/IFNAME: XDP_PASS here (the kernel forwards)");
    app.add_option("--cost", cost_pin, "instead: the pinned program's cost per packet (BPF_PROG_TEST_RUN repeat) ...");
    app.add_option("--cost-at", cost_at, "... as if the frame arrived on NETNS/IFNAME");
    bool unaccounted = false;
    app.add_flag("--unaccounted", unaccounted,
                 "... and in each trial, of the same router built without counters and policer, on the same maps");
    std::string compiled;
    app.add_option("--compiled-lookup", compiled, "instead: switch the compiled lookups of the data plane pinned in --bpffs")
        ->check(CLI::IsMember({"on", "off"}));
    std::string bpffs;
    app.add_option("--bpffs", bpffs, "the data plane's bpffs folder, for --compiled-lookup");
    app.add_option("--repeat", repeat, "repetitions per cost trial, in 10 rounds (rounded up to a multiple of 10)")
        ->check(CLI::PositiveNumber);
    app.add_option("--smac", smac, "source MAC of the frames");
    app.add_option("--dmac", dmac, "destination MAC of the frames");
    app.add_option("--src", src, "source address");
    app.add_option("--dst", dst, "first destination address");
    std::string dst_prefix, sizes_text;
    app.add_option("--dst-prefix", dst_prefix, "instead of --dst: --count distinct hosts of this CIDR (IPv6: /64 or longer)");
    app.add_option("--count", count, "destinations, in a random order: from --dst on, or hosts of --dst-prefix")
        ->check(CLI::PositiveNumber);
    app.add_option("--frame", frame_len, "frame length in bytes (Ethernet header to payload end)");
    app.add_option("--sizes", sizes_text, "instead of --frame: frame lengths the frames take in turn, e.g. 64,512,1500");
    uint32_t batch = 256;
    app.add_option("--batch", batch, "frames a batch of the generator (BPF_PROG_TEST_RUN batch_size)")->check(CLI::Range(1, 256));
    double warmup = 0.5;
    app.add_option("--warmup", warmup, "seconds of traffic before the trials: neighbours, caches");
    bool verify = false;
    app.add_flag("--verify", verify, "the sink also records destinations and frame lengths; each trial reports them");
    app.add_option("--seconds", seconds, "per trial");
    app.add_option("--trials", trials, "trials");
    CLI11_PARSE(app, argc, argv);
    return exit_status_of([&] {
        if (!compiled.empty()) return switch_compiled(bpffs, compiled == "on");
        if (!dst_prefix.empty() && !cost_pin.empty())
            throw errors::invalid_parameter_destination_prefix("--dst-prefix is for the generator, not --cost");
        if (!dst_prefix.empty()) {
            if (!dst.empty()) throw errors::invalid_parameter_destination("--dst or --dst-prefix, not both");
            dst = Cidr::parse(dst_prefix).addr.str();
        }
        if (smac.empty() || dmac.empty() || src.empty() || dst.empty())
            throw Error("MissingParameter", "--smac, --dmac, --src and --dst (or --dst-prefix) describe the frame");
        if (!parse_mac(smac) || !parse_mac(dmac)) throw Error("InvalidMac", "--smac and --dmac must be MAC addresses");
        if (!cost_pin.empty()) {
            frames::UdpFrameSpec spec{.smac = *parse_mac(smac),
                                      .dmac = *parse_mac(dmac),
                                      .src = IpAddr::parse(src),
                                      .dst = IpAddr::parse(dst),
                                      .sport = 9,
                                      .dport = 9,
                                      .fill = 0};
            spec.payload = XB_COST_FRAME_LEN - frames::udp_headers_len(spec.src.family);
            const auto frame = frames::udp_frame(spec).bytes;
            for (const auto& t : bench::program_cost(cost_pin, unaccounted, endpoint(cost_at), frame, count, repeat, trials)) {
                std::cout << "{\"ns\": " << t.ns << ", \"fastest_ns\": " << t.fastest_ns << ", \"baseline_ns\": " << t.baseline_ns
                          << ", \"retval\": " << t.retval;
                if (unaccounted)
                    std::cout << ", \"unaccounted_ns\": " << t.unaccounted_ns
                              << ", \"fastest_unaccounted_ns\": " << t.fastest_unaccounted_ns
                              << ", \"unaccounted_retval\": " << t.unaccounted_retval << ", \"paired_median_ns\": " << t.paired_median_ns;
                std::cout << "}\n";
            }
            return 0;
        }
        if (gen.empty() || sink.empty()) throw Error("MissingParameter", "--gen and --sink, or --cost and --cost-at");
        bench::TrafficSpec spec{.smac = *parse_mac(smac), .dmac = *parse_mac(dmac), .src = IpAddr::parse(src)};
        spec.dst = dst_prefix.empty() ? bench::consecutive(IpAddr::parse(dst), count) : bench::hosts_of(Cidr::parse(dst_prefix), count);
        spec.sizes = sizes_text.empty() ? std::vector<uint32_t>{frame_len} : bench::parse_sizes(sizes_text);
        xb_config cfg = bench::traffic_config(spec);
        auto g = endpoint(gen), s = endpoint(sink);
        cfg.out_ifindex = links::ifindex(g.netns, g.ifname);
        bench::LiveGenerator lg(cfg.dst_count);
        if (!redirect.empty()) {
            auto r = endpoint(redirect);
            cfg.redirect_ifindex = links::ifindex(r.netns, redirect_to);
            lg.attach_redirect(r);
        }
        if (!pass.empty()) lg.attach_pass(endpoint(pass));
        lg.configure(cfg, spec.dst.words);
        lg.attach_sink(s, sink_link, verify);
        if (warmup > 0) lg.generate(g, warmup, batch);
        for (int t = 0; t < trials; ++t) {
            if (verify) lg.clear_record();
            const uint64_t before = lg.received();
            const auto start = std::chrono::steady_clock::now();
            const uint64_t sent = lg.generate(g, seconds, batch);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the last batch lands
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() - 0.05;
            const uint64_t got = lg.received() - before;
            std::cout << "{\"pps\": " << got / elapsed << ", \"sent_pps\": " << sent / elapsed;
            if (verify) {
                const auto r = lg.record();
                std::cout << ", \"destinations\": " << std::max<size_t>(spec.dst.words.size(), 1) << ", \"expected\": " << r.expected
                          << ", \"distinct\": " << r.distinct << ", \"outside\": " << r.outside << ", \"sizes\": {";
                const char* sep = "";
                for (const auto& [len, n] : r.sizes) std::cout << std::exchange(sep, ", ") << "\"" << len << "\": " << n;
                std::cout << "}";
            }
            std::cout << "}\n" << std::flush;
        }
        lg.detach_sink();
        if (!redirect.empty()) links::detach_xdp(endpoint(redirect).netns, endpoint(redirect).ifname);
        if (!pass.empty()) links::detach_xdp(endpoint(pass).netns, endpoint(pass).ifname);
        return 0;
    });
}
