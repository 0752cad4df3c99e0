// The real router program (unpinned, maps compiled from the BPF tests' topology) on any frame,
// through BPF_PROG_TEST_RUN (root). Every frame gets a verdict, and a frame is forwarded only if
// the reference model (router_model.h) lets it through, towards the vSwitch the model names,
// with new MACs and one hop less to live.
//
// Input: one control byte, then the frame. The control byte picks the ingress link (and a link
// with no port), and may fix the IPv4 checksum and the IP length fields after the fuzzer's
// changes: the BPF program gives libFuzzer no coverage, and without these a well-formed frame
// is rare.
#include <linux/bpf.h>
#include <sanitizer/common_interface_defs.h>

#include <memory>

#include "../bpf/router_fixture.h"
#include "check.h"
#include "router_model.h"

using namespace xpeer;
using namespace xpeer::test;
using fuzz::require;

namespace {

constexpr uint8_t fix_checksum = 0x10, fix_lengths = 0x20;
constexpr size_t eth_len = 14, max_frame = 1514;

std::unique_ptr<RouterFixture> fx_;

RouterFixture& fixture() {
    if (!fx_) {
        fx_ = std::make_unique<RouterFixture>();
        std::atexit([] { fx_.reset(); });
        fuzz::before_abort = [] { fx_.reset(); };
        __sanitizer_set_death_callback([] { fx_.reset(); });  // a sanitizer's finding
    }
    return *fx_;
}

void fix_up(std::vector<uint8_t>& f, uint8_t control) {
    if (f.size() < eth_len + 1) return;
    const unsigned type = unsigned{f[12]} << 8 | f[13];
    const size_t l3 = f.size() - eth_len;
    if ((control & fix_lengths) && type == 0x86dd && l3 >= 40) {
        f[eth_len + 4] = static_cast<uint8_t>((l3 - 40) >> 8);
        f[eth_len + 5] = static_cast<uint8_t>(l3 - 40);
    }
    if (type != 0x0800 || l3 < 20) return;
    if (control & fix_lengths) {
        f[eth_len + 2] = static_cast<uint8_t>(l3 >> 8);
        f[eth_len + 3] = static_cast<uint8_t>(l3);
    }
    const size_t header = (f[eth_len] & 0xf) * 4u;
    if ((control & fix_checksum) && header >= 20 && header <= l3) {
        auto* ip = reinterpret_cast<frame_iphdr*>(f.data() + eth_len);
        ip->check = 0;
        ip->check = ipv4_checksum(ip);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // BPF_PROG_TEST_RUN refuses a frame shorter than an Ethernet header (no driver hands one up).
    if (size < 1 + eth_len) return 0;
    RouterFixture& fx = fixture();
    const uint8_t control = data[0];
    const std::pair<const char*, uint32_t> links[] = {
        {"vsw-a1", fx.if_a1}, {"vsw-a2", fx.if_a2}, {"vsw-b1", fx.if_b1}, {"vsw-c1", fx.if_c1}, {"", 1 /* lo: no port */}};
    const auto& [ingress, ifindex] = links[(control & 0x0f) % std::size(links)];

    Frame in;
    in.bytes.assign(data + 1, data + std::min(size, 1 + max_frame));
    fix_up(in.bytes, control);
    RunResult r;
    try {
        r = fx.run(in, ifindex);
    } catch (const std::exception& e) {
        fuzz::broken(std::string("the router could not run: ") + e.what());
    }
    require(r.ret == XDP_PASS || r.ret == XDP_DROP || r.ret == XDP_REDIRECT, "verdict " + std::to_string(r.ret));
    if (r.ret != XDP_REDIRECT) return 0;

    auto target = fuzz::forward_target(fx.snapshot, ingress, in.bytes);
    require(target.has_value(), std::string("forwarded a frame from ") + ingress + " that the model drops");
    const PortInfo& out_port = fx.ports.at(*target);
    require(r.out.bytes.size() == in.bytes.size(), "a forwarded frame changed its length");
    require(r.out.dst_mac() == out_port.vpc_mac && r.out.src_mac() == out_port.datapath_mac,
            "forwarded towards another vSwitch than " + *target);
    const bool v6 = in.bytes[12] == 0x86;
    const size_t ttl_at = eth_len + (v6 ? 7 : 8);
    require(r.out.bytes[ttl_at] == in.bytes[ttl_at] - 1, "TTL or hop limit not decreased by one");
    if (!v6) require(ipv4_checksum(r.out.ip()) == 0, "a forwarded IPv4 header's checksum is wrong");
    return 0;
}
