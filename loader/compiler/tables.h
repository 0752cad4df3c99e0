#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "model/mac.h"
#include "model/port.h"
#include "xpeer/bpf_abi.h"

namespace xpeer {

// Orders plain ABI structs by their bytes (they have no implicit padding).
template <typename T>
struct BytesLess {
    bool operator()(const T& a, const T& b) const { return std::memcmp(&a, &b, sizeof(T)) < 0; }
};
template <typename T>
bool bytes_equal(const T& a, const T& b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename K, typename V>
using Table = std::map<K, V, BytesLess<K>>;

// What the maps must hold: the compiler's output, the reconciler's input.
struct Tables {
    Table<xp_lpm_key_v4, xp_route> routes_v4;
    Table<xp_lpm_key_v6, xp_route> routes_v6;
    Table<uint32_t, xp_port> ports;        // ingress ifindex
    Table<uint32_t, xp_peering> peerings;  // peering slot
    // Between hosts: written whole by apply(), never by a scoped delta (they change with the hosts).
    Table<uint32_t, xp_tunnel> tunnels;               // tunnel slot
    Table<xp_underlay_key, uint32_t> underlay_hosts;  // a registered host's underlay address -> its tunnel slot
    Table<uint32_t, xp_underlay_qos> underlay_qos;    // key 0, while the agent gave --underlay-bandwidth
};

}  // namespace xpeer
