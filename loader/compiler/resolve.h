#pragma once
#include "compiler/tables.h"
#include "model/cidr.h"

namespace xpeer {

// The tries' decision for one packet's destination, as bpf/route.h's resolve() makes it from the
// maps: the ingress VPC's longest match, then at most one peering crossing into the peer VPC's
// table, where only its own vSwitches may match. The plain reference the compiled lookup is
// tested against: one exact lookup per prefix length, nothing precomputed.
// A decision: its reason, the link it crossed (XP_NO_LINK: none) and the vSwitch route it leaves by.
xp_fib_result decided(uint32_t reason, uint32_t link = XP_NO_LINK, const xp_route* route = nullptr);

xp_fib_result resolve_in_tables(const Tables& t, uint32_t vpc, const IpAddr& dst);

// The connection's state applied to a decision that crossed one, as the router applies it at
// every packet: a connection that is not active drops what would cross it.
xp_fib_result with_peering_state(const Tables& t, xp_fib_result decision);

}  // namespace xpeer
