#pragma once
// A 64-byte UDP frame for the per-packet cost measurement (the live generator writes its own).
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include <cstring>
#include <vector>

#include "model/cidr.h"
#include "model/mac.h"

namespace xpeer::bench {

inline std::vector<uint8_t> udp_frame(const Mac& smac, const Mac& dmac, const IpAddr& src, const IpAddr& dst, size_t len = 64) {
    std::vector<uint8_t> f(len, 0);
    auto* eth = reinterpret_cast<ethhdr*>(f.data());
    std::memcpy(eth->h_dest, dmac.data(), ETH_ALEN);
    std::memcpy(eth->h_source, smac.data(), ETH_ALEN);
    if (dst.family == Family::V6) {
        eth->h_proto = htons(ETH_P_IPV6);
        auto* ip6 = reinterpret_cast<ipv6hdr*>(eth + 1);
        auto* udp = reinterpret_cast<udphdr*>(ip6 + 1);
        ip6->version = 6;
        ip6->payload_len = htons(static_cast<uint16_t>(len - sizeof(ethhdr) - sizeof(ipv6hdr)));
        ip6->nexthdr = IPPROTO_UDP;
        ip6->hop_limit = 64;
        std::memcpy(&ip6->saddr, src.bytes.data(), 16);
        std::memcpy(&ip6->daddr, dst.bytes.data(), 16);
        udp->source = udp->dest = htons(9);
        udp->len = ip6->payload_len;
    } else {
        eth->h_proto = htons(ETH_P_IP);
        auto* ip = reinterpret_cast<iphdr*>(eth + 1);
        auto* udp = reinterpret_cast<udphdr*>(ip + 1);
        ip->version = 4;
        ip->ihl = 5;
        ip->tot_len = htons(static_cast<uint16_t>(len - sizeof(ethhdr)));
        ip->ttl = 64;
        ip->protocol = IPPROTO_UDP;
        std::memcpy(&ip->saddr, src.bytes.data(), 4);
        std::memcpy(&ip->daddr, dst.bytes.data(), 4);
        uint32_t sum = 0;
        const auto* w = reinterpret_cast<const uint16_t*>(ip);
        for (int i = 0; i < 10; ++i) sum += w[i];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        ip->check = static_cast<uint16_t>(~sum);
        udp->source = udp->dest = htons(9);
        udp->len = htons(static_cast<uint16_t>(len - sizeof(ethhdr) - sizeof(iphdr)));
    }
    return f;
}

}  // namespace xpeer::bench
