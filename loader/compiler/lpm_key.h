#pragma once
#include "model/cidr.h"
#include "xpeer/bpf_abi.h"

namespace xpeer {

// An LPM key counts the VPC id's bits before the address's: prefixlen = 32 + CIDR length.
constexpr uint32_t lpm_prefixlen(uint8_t cidr_len) { return XP_LPM_VPC_BITS + cidr_len; }

// Host bits are masked, so that equal networks give equal keys.
xp_lpm_key_v4 lpm_key_v4(uint32_t vpc, const Cidr& cidr);
xp_lpm_key_v6 lpm_key_v6(uint32_t vpc, const Cidr& cidr);

// The network a key stands for (for inspection and tests).
Cidr cidr_of(const xp_lpm_key_v4& key);
Cidr cidr_of(const xp_lpm_key_v6& key);

}  // namespace xpeer
