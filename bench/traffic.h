#pragma once
// What the live generator sends (bpf/bench.bpf.c's xb_gen): frame templates, one per size, and the
// destinations it writes into them in turn. Pure: no BPF, no system calls.
#include <cstdint>
#include <string>
#include <vector>

#include "model/cidr.h"
#include "model/mac.h"
#include "xpeer/bench_abi.h"

namespace xpeer::bench {

// The destinations as xb_dsts holds them (bench_abi.h): distinct, in a random order that is the
// same for every run with the same arguments, so that paths compared side by side get the same.
struct Destinations {
    IpAddr base;                  // the templates' destination: the address bytes not in the words
    std::vector<uint64_t> words;  // empty: base is the only destination
};

// first, first + 1, ..., first + count - 1 (the address's last 64 bits, IPv4's 32), shuffled.
Destinations consecutive(const IpAddr& first, uint32_t count);
// count distinct hosts of prefix, none of its reserved addresses (network, gateway, IPv4
// broadcast), spread over the whole prefix. IPv6 prefixes of /64 or longer: the generator varies
// the last 8 bytes. Throws InvalidParameter.* if the prefix has fewer hosts or is too short.
Destinations hosts_of(const Cidr& prefix, uint32_t count);

// sizes: frame lengths from the Ethernet header to the payload's end, 64 .. XB_MAX_FRAME.
struct TrafficSpec {
    Mac smac, dmac;
    IpAddr src;
    Destinations dst;
    std::vector<uint32_t> sizes;
};
// The config's templates, sizes and destination count (the interfaces are the caller's).
// Throws InvalidParameter.* naming what is wrong.
xb_config traffic_config(const TrafficSpec& spec);
// "64,512,1500" -> {64, 512, 1500}; throws InvalidParameter.Sizes.
std::vector<uint32_t> parse_sizes(const std::string& text);

}  // namespace xpeer::bench
