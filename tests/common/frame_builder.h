#pragma once
// Crafted Ethernet + IPv4/IPv6 + UDP frames, for the BPF tests and tools/bench's cost
// measurement (the live generator writes its own, in bpf/bench.bpf.c), and readers for what
// comes out.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

#include "model/cidr.h"
#include "model/mac.h"

namespace xpeer::frames {

// A frame's IP header starts 14 bytes in, 2 bytes off the 4-byte alignment iphdr and ipv6hdr
// require: they are used through these types, aligned at 1, so that their fields may be read
// there (UBSan's alignment check holds us to it).
typedef iphdr __attribute__((aligned(1))) frame_iphdr;
typedef ipv6hdr __attribute__((aligned(1))) frame_ipv6hdr;

inline uint16_t ipv4_checksum(const frame_iphdr* ip) {
    const auto* w = reinterpret_cast<const uint16_t*>(ip);
    uint32_t sum = 0;
    for (int i = 0; i < ip->ihl * 2; ++i) sum += w[i];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

struct Frame {
    std::vector<uint8_t> bytes;

    ethhdr* eth() { return reinterpret_cast<ethhdr*>(bytes.data()); }
    frame_iphdr* ip() { return reinterpret_cast<frame_iphdr*>(bytes.data() + sizeof(ethhdr)); }
    frame_ipv6hdr* ip6() { return reinterpret_cast<frame_ipv6hdr*>(bytes.data() + sizeof(ethhdr)); }
    Mac dst_mac() const {
        Mac m;
        std::memcpy(m.data(), bytes.data(), 6);
        return m;
    }
    Mac src_mac() const {
        Mac m;
        std::memcpy(m.data(), bytes.data() + 6, 6);
        return m;
    }
};

struct UdpFrameSpec {
    Mac smac{0x02, 0, 0, 0, 0, 0x01};
    Mac dmac{0x02, 0, 0, 0, 0, 0x02};
    IpAddr src, dst;   // both IPv4 or both IPv6
    uint8_t ttl = 64;  // or hop limit
    uint16_t sport = 40000, dport = 5201;
    size_t payload = 18;  // bytes after the UDP header, each `fill`
    uint8_t fill = 0xab;
};

// The Ethernet, IP and UDP headers' length, before the payload.
inline size_t udp_headers_len(Family family) {
    return sizeof(ethhdr) + (family == Family::V6 ? sizeof(ipv6hdr) : sizeof(iphdr)) + sizeof(udphdr);
}

// A UDP datagram as spec says, with a valid IPv4 header checksum (UDP's is 0: none).
inline Frame udp_frame(const UdpFrameSpec& spec) {
    const bool v6 = spec.src.family == Family::V6;
    const size_t l3 = v6 ? sizeof(ipv6hdr) : sizeof(iphdr);
    Frame f;
    f.bytes.assign(udp_headers_len(spec.src.family), 0);
    f.bytes.resize(f.bytes.size() + spec.payload, spec.fill);
    auto* eth = f.eth();
    std::memcpy(eth->h_source, spec.smac.data(), ETH_ALEN);
    std::memcpy(eth->h_dest, spec.dmac.data(), ETH_ALEN);
    eth->h_proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
    auto* udp = reinterpret_cast<udphdr*>(f.bytes.data() + sizeof(ethhdr) + l3);
    udp->source = htons(spec.sport);
    udp->dest = htons(spec.dport);
    udp->len = htons(static_cast<uint16_t>(sizeof(udphdr) + spec.payload));
    if (v6) {
        auto* ip6 = f.ip6();
        ip6->version = 6;
        ip6->payload_len = udp->len;
        ip6->nexthdr = IPPROTO_UDP;
        ip6->hop_limit = spec.ttl;
        std::memcpy(&ip6->saddr, spec.src.bytes.data(), 16);
        std::memcpy(&ip6->daddr, spec.dst.bytes.data(), 16);
    } else {
        auto* ip = f.ip();
        ip->version = 4;
        ip->ihl = 5;
        ip->tot_len = htons(static_cast<uint16_t>(l3 + sizeof(udphdr) + spec.payload));
        ip->ttl = spec.ttl;
        ip->protocol = IPPROTO_UDP;
        std::memcpy(&ip->saddr, spec.src.bytes.data(), 4);
        std::memcpy(&ip->daddr, spec.dst.bytes.data(), 4);
        ip->check = ipv4_checksum(ip);
    }
    return f;
}

// The BPF tests' datagram: from src to dst (addresses as text), between the spec's default MACs.
inline Frame udp_frame(const std::string& src, const std::string& dst, uint8_t ttl = 64, size_t payload = 18) {
    UdpFrameSpec spec;
    spec.src = IpAddr::parse(src);
    spec.dst = IpAddr::parse(dst);
    spec.ttl = ttl;
    spec.payload = payload;
    return udp_frame(spec);
}

inline Frame arp_frame() {
    Frame f;
    f.bytes.assign(60, 0);
    std::memset(f.bytes.data(), 0xff, 6);
    f.eth()->h_proto = htons(ETH_P_ARP);
    return f;
}

}  // namespace xpeer::frames
