#pragma once
#include "compiler/tables.h"
#include "model/model.h"

namespace xpeer {

// Desired state -> map entries. Pure: the same snapshot and ports always give the same tables.
// A vSwitch whose link is not in `ports` gets no entries (the link is made before compiling),
// unless it lives on another host: then its routes lead to that host's tunnel.
// Route entries never displace a system route with the same destination.
Tables compile(const Snapshot& snapshot, const PortMap& ports);

// The token bucket of a connection's bandwidth (-1: unlimited), in an xp_peering whose other
// fields are zero.
xp_peering policer_of(int64_t bandwidth_mbps);

// The depth of the token bucket of a rate in bytes per second (> 0).
uint64_t policer_burst(uint64_t rate_bytes);

// xp_peering.dscp: the DSCP that marks a link type's traffic between hosts ("": 0).
uint8_t dscp_of(const std::string& link_type);

// xp_underlay_qos for a host's underlay of bandwidth_mbps (> 0): its token bucket, 5 ms deep in
// three bands (24, 24 and 72 KiB at least), and the depth each DSCP leaves to the classes above
// it: none for Platinum's, the first band for Gold's, the first two for every other.
xp_underlay_qos underlay_qos_of(int64_t bandwidth_mbps);

// xp_peering.owner: the connection's id hashed (FNV-1a), never 0.
uint32_t peering_owner(const std::string& pcc_id);

}  // namespace xpeer
