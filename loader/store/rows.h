#pragma once
// Inside the store only: the columns of each kind of row, and their readers.
#include "model/model.h"
#include "model/route_id.h"
#include "store/statement.h"

namespace xpeer::store_detail {

// Columns in the order the readers below expect.
inline constexpr const char* kVpcCols = "SELECT key, id, account, region, name, cidr, ipv6_cidr, created_at FROM vpcs ";
inline constexpr const char* kVSwitchCols = "SELECT slot, id, vpc_id, name, cidr, ipv6_cidr, created_at, account, host FROM vswitches ";
inline constexpr const char* kInstanceCols = "SELECT id, vswitch_id, ip, ipv6, created_at, account FROM instances ";
inline constexpr const char* kPeeringCols =
    "SELECT slot, id, account, vpc_id, peer_account, peer_vpc_id, region, peer_region, bandwidth_mbps, link_type, "
    "status, name, description, created_at FROM peerings ";
inline constexpr const char* kRouteCols = "SELECT key, id, vpc_id, destination, next_hop, created_at FROM routes ";

inline Vpc read_vpc(const Statement& s) {
    return Vpc{static_cast<uint32_t>(s.i64(0)), s.text(1), s.u64(2), s.text(3), s.text(4), s.cidr(5), s.opt_cidr(6), s.i64(7)};
}
inline VSwitch read_vswitch(const Statement& s) {
    return VSwitch{
        static_cast<uint32_t>(s.i64(0)), s.text(1), s.text(2), s.text(3), s.cidr(4), s.opt_cidr(5), s.i64(6), s.u64(7), s.opt_text(8)};
}
inline constexpr const char* kHostCols = "SELECT name, region, underlay_address, created_at FROM hosts ";
inline Host read_host(const Statement& s) { return Host{s.text(0), s.text(1), IpAddr::parse(s.text(2)), s.i64(3)}; }
inline Instance read_instance(const Statement& s) { return Instance{s.text(0), s.text(1), s.opt_ip(2), s.opt_ip(3), s.i64(4), s.u64(5)}; }
inline Peering read_peering(const Statement& s) {
    return Peering{static_cast<uint32_t>(s.i64(0)),
                   s.text(1),
                   s.u64(2),
                   s.text(3),
                   s.u64(4),
                   s.text(5),
                   s.text(6),
                   s.text(7),
                   s.i64(8),
                   s.text(9),
                   peering_status_from_string(s.text(10)),
                   s.text(11),
                   s.text(12),
                   s.i64(13)};
}
// A route's id: the one it was given (column id), else the one derived from its key.
inline RouteEntry read_route(const Statement& s, uint64_t salt) {
    return RouteEntry{s.null(1) ? route_id_of(s.u64(0), salt) : s.text(1), s.text(2), s.cidr(3), s.text(4), s.i64(5)};
}

}  // namespace xpeer::store_detail
