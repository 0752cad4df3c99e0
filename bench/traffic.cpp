#include "traffic.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "frame_builder.h"
#include "model/error.h"
#include "model/errors.h"

namespace xpeer::bench {

namespace {

constexpr uint64_t kSeed = 0x5eed'b0a7'c0ff'ee01;

// The address bytes the generator writes: IPv4's 4, IPv6's last 8 (bench_abi.h).
size_t word_offset(Family f) { return f == Family::V4 ? 0 : 8; }
size_t word_len(Family f) { return f == Family::V4 ? 4 : 8; }

uint64_t to_word(const IpAddr& a) {
    uint64_t w = 0;
    std::memcpy(&w, a.bytes.data() + word_offset(a.family), word_len(a.family));
    return w;
}

IpAddr without_word(IpAddr a) {
    std::fill_n(a.bytes.begin() + static_cast<long>(word_offset(a.family)), word_len(a.family), 0);
    return a;
}

// A bijection of [0, 2^bits): the i-th host is mix(i), so i = 0, 1, ... give distinct hosts
// spread over the prefix. Each step (multiplying by an odd number, xor with a right shift) is
// invertible modulo 2^bits.
uint64_t mix(uint64_t x, unsigned bits) {
    const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    const unsigned shift = (bits + 1) / 2;
    x = (x * 0x9e3779b97f4a7c15ull + kSeed) & mask;
    x ^= x >> shift;
    x = (x * 0xbf58476d1ce4e5b9ull) & mask;
    x ^= x >> shift;
    return (x * 0x94d049bb133111ebull) & mask;
}

void add_to_low_bits(IpAddr& a, uint64_t n) {  // to the last 64 (IPv4: 32) bits, wrapping there
    unsigned carry = 0;
    for (size_t k = 0; k < word_len(a.family); ++k, n >>= 8) {
        const size_t i = a.size() - 1 - k;
        const unsigned sum = a.bytes[i] + static_cast<unsigned>(n & 0xff) + carry;
        a.bytes[i] = static_cast<uint8_t>(sum);
        carry = sum >> 8;
    }
}

// The one's complement sum of 16-bit words in memory order, not yet complemented.
uint32_t sum16(const uint8_t* p, size_t len, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint16_t w;
        std::memcpy(&w, p + i, 2);
        sum += w;
    }
    if (len % 2) sum += p[len - 1];  // little-endian: the odd byte is the word's low one
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

// IPv6's UDP checksum over pseudo-header, header and payload, as the frame holds them.
uint16_t udp6_checksum(const std::vector<uint8_t>& frame) {
    const size_t ip = sizeof(ethhdr), udp = ip + sizeof(ipv6hdr);
    const uint16_t udp_len = static_cast<uint16_t>(frame.size() - udp);
    uint8_t pseudo[40] = {};
    std::memcpy(pseudo, frame.data() + ip + 8, 32);  // source and destination
    pseudo[34] = static_cast<uint8_t>(udp_len >> 8);
    pseudo[35] = static_cast<uint8_t>(udp_len);
    pseudo[39] = IPPROTO_UDP;
    const uint32_t sum = sum16(frame.data() + udp, udp_len, sum16(pseudo, sizeof(pseudo)));
    const uint16_t check = static_cast<uint16_t>(~sum);
    return check == 0 ? 0xffff : check;
}

}  // namespace

Destinations consecutive(const IpAddr& first, uint32_t count) {
    Destinations d{first, {}};
    if (count <= 1) return d;
    d.base = without_word(first);
    d.words.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        IpAddr a = first;
        add_to_low_bits(a, i);
        d.words.push_back(to_word(a));
    }
    std::mt19937_64 rng(kSeed);
    std::shuffle(d.words.begin(), d.words.end(), rng);
    return d;
}

Destinations hosts_of(const Cidr& prefix, uint32_t count) {
    const Family f = prefix.family();
    const unsigned bits = prefix.addr.bits() - prefix.prefix_len;
    if (bits > word_len(f) * 8)
        throw errors::invalid_parameter_destination_prefix(
            prefix.str() + ": the generator varies an IPv6 destination's last 64 bits; give a /64 or longer");
    const uint64_t all_ones = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    const uint64_t reserved = f == Family::V4 ? 3 : 2;  // network, gateway (and broadcast)
    if (bits < 64 && (all_ones < reserved || all_ones + 1 - reserved < count))
        throw errors::invalid_parameter_count(prefix.str() + " holds fewer than " + std::to_string(count) + " hosts");
    Destinations d{without_word(prefix.addr), {}};
    d.words.reserve(count);
    for (uint64_t i = 0; d.words.size() < count; ++i) {
        const uint64_t host = mix(i, bits);
        if (host == 0 || host == 1 || (f == Family::V4 && host == all_ones)) continue;
        IpAddr a = prefix.addr;
        add_to_low_bits(a, host);
        d.words.push_back(to_word(a));
    }
    return d;
}

std::vector<uint32_t> parse_sizes(const std::string& text) {
    std::vector<uint32_t> sizes;
    size_t at = 0;
    while (at <= text.size()) {
        const size_t comma = std::min(text.find(',', at), text.size());
        const std::string item = text.substr(at, comma - at);
        if (item.empty() || item.size() > 5 || item.find_first_not_of("0123456789") != std::string::npos)
            throw errors::invalid_parameter_sizes("'" + text + "' is not a list of frame lengths like 64,512,1500");
        sizes.push_back(static_cast<uint32_t>(std::stoul(item)));
        at = comma + 1;
    }
    return sizes;
}

xb_config traffic_config(const TrafficSpec& spec) {
    if (spec.sizes.empty() || spec.sizes.size() > XB_SIZES)
        throw errors::invalid_parameter_sizes("1 to " + std::to_string(XB_SIZES) + " frame lengths");
    const Family f = spec.src.family;
    if (spec.dst.base.family != f) throw errors::invalid_parameter_family("the source and the destinations are of different families");
    xb_config cfg{};
    cfg.is_v6 = f == Family::V6;
    cfg.dst_count = static_cast<uint32_t>(spec.dst.words.size());
    cfg.size_count = static_cast<uint32_t>(spec.sizes.size());
    for (size_t i = 0; i < spec.sizes.size(); ++i) {
        const uint32_t len = spec.sizes[i];
        if (len < XB_HEAD_LEN || len > XB_MAX_FRAME)
            throw errors::invalid_parameter_sizes("frame length " + std::to_string(len) + " is outside " + std::to_string(XB_HEAD_LEN) +
                                                  " .. " + std::to_string(XB_MAX_FRAME));
        frames::UdpFrameSpec fs{
            .smac = spec.smac, .dmac = spec.dmac, .src = spec.src, .dst = spec.dst.base, .sport = 9, .dport = 9, .fill = 0};
        fs.payload = len - frames::udp_headers_len(f);
        auto frame = frames::udp_frame(fs).bytes;  // IPv4: its header checksum, UDP's 0 (none)
        if (cfg.is_v6) {
            const uint16_t check = udp6_checksum(frame);
            std::memcpy(frame.data() + sizeof(ethhdr) + sizeof(ipv6hdr) + 6, &check, 2);
        }
        std::memcpy(cfg.sizes[i].head, frame.data(), XB_HEAD_LEN);
        cfg.sizes[i].frame_len = len;
    }
    return cfg;
}

}  // namespace xpeer::bench
