#pragma once
// Crafted frames for BPF tests: Ethernet + IPv4/IPv6 + UDP, and readers for what comes out.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <cstring>
#include <string>
#include <vector>

#include "compiler/tables.h"
#include "model/cidr.h"

namespace xpeer::test {

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
    Mac dst_mac() const { Mac m; std::memcpy(m.data(), bytes.data(), 6); return m; }
    Mac src_mac() const { Mac m; std::memcpy(m.data(), bytes.data() + 6, 6); return m; }
};

// A UDP datagram from src to dst (both v4 or both v6), with a valid IPv4 header checksum.
inline Frame udp_frame(const std::string& src, const std::string& dst, uint8_t ttl = 64, size_t payload = 18) {
    IpAddr s = IpAddr::parse(src), d = IpAddr::parse(dst);
    bool v6 = s.family == Family::V6;
    size_t l3 = v6 ? sizeof(ipv6hdr) : sizeof(iphdr);
    Frame f;
    f.bytes.assign(sizeof(ethhdr) + l3 + sizeof(udphdr) + payload, 0xab);
    auto* eth = f.eth();
    const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 0x01}, dmac[6] = {0x02, 0, 0, 0, 0, 0x02};
    std::memcpy(eth->h_source, smac, 6);
    std::memcpy(eth->h_dest, dmac, 6);
    eth->h_proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
    auto* udp = reinterpret_cast<udphdr*>(f.bytes.data() + sizeof(ethhdr) + l3);
    udp->source = htons(40000);
    udp->dest = htons(5201);
    udp->len = htons(static_cast<uint16_t>(sizeof(udphdr) + payload));
    udp->check = 0;
    if (v6) {
        auto* ip6 = f.ip6();
        std::memset(ip6, 0, sizeof(*ip6));
        ip6->version = 6;
        ip6->payload_len = udp->len;
        ip6->nexthdr = IPPROTO_UDP;
        ip6->hop_limit = ttl;
        std::memcpy(&ip6->saddr, s.bytes.data(), 16);
        std::memcpy(&ip6->daddr, d.bytes.data(), 16);
    } else {
        auto* ip = f.ip();
        std::memset(ip, 0, sizeof(*ip));
        ip->version = 4;
        ip->ihl = 5;
        ip->tot_len = htons(static_cast<uint16_t>(l3 + sizeof(udphdr) + payload));
        ip->ttl = ttl;
        ip->protocol = IPPROTO_UDP;
        std::memcpy(&ip->saddr, s.bytes.data(), 4);
        std::memcpy(&ip->daddr, d.bytes.data(), 4);
        ip->check = ipv4_checksum(ip);
    }
    return f;
}

inline Frame arp_frame() {
    Frame f;
    f.bytes.assign(60, 0);
    std::memset(f.bytes.data(), 0xff, 6);
    f.eth()->h_proto = htons(ETH_P_ARP);
    return f;
}

}  // namespace xpeer::test
