#!/usr/bin/env bash
# A VPC with two vSwitches: traffic from each instance leaves through its own vSwitch (source
# rules), and a peer that routes back to one vSwitch's CIDR only (the seed's "more secure"
# option) talks with that vSwitch alone. Deleting the vSwitch removes its link and routes.
#
#   vpc1 172.16.0.0/12  vswA 172.16.1.0/24 (.2)  vswB 172.16.2.0/24 (.2)
#   vpc2 192.168.0.0/16 vsw2 192.168.1.0/24 (.2)
#   vpc1: 192.168.0.0/16 -> pcc      vpc2: 172.16.2.0/24 -> pcc   (vswB only)
source "$(dirname "$0")/lib.sh"

tx_packets() { in_vpc "$1" ip -s -j link show "$2" | jq '.[0].stats64.tx.packets'; }

step "topology"
vpc1=$(xp vpc create --cidr 172.16.0.0/12)
vpc2=$(xp vpc create --cidr 192.168.0.0/16)
vswA=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
vswB=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.2.0/24)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
xp instance create --vswitch "$vswA" >/dev/null
xp instance create --vswitch "$vswB" >/dev/null
xp instance create --vswitch "$vsw2" >/dev/null
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc2" --destination 172.16.2.0/24 --next-hop "$pcc" >/dev/null
ifA="vs${vswA#vsw-}"
ifA=${ifA:0:15}
ifB="vs${vswB#vsw-}"
ifB=${ifB:0:15}

step "each instance leaves through its own vSwitch"
a0=$(tx_packets "$vpc1" "$ifA")
b0=$(tx_packets "$vpc1" "$ifB")
reachable "vswB's instance -> vpc2" "$vpc1" -I 172.16.2.2 192.168.1.2
a1=$(tx_packets "$vpc1" "$ifA")
b1=$(tx_packets "$vpc1" "$ifB")
[ $((b1 - b0)) -ge 2 ] && [ "$a1" = "$a0" ] && pass "sent on vswB ($((b1 - b0)) packets), none on vswA" || fail "vswA +$((a1 - a0)), vswB +$((b1 - b0))"
unreachable "vswA's instance -> vpc2 (no route back to vswA)" "$vpc1" -I 172.16.1.2 192.168.1.2
a2=$(tx_packets "$vpc1" "$ifA")
[ $((a2 - a1)) -ge 2 ] && pass "vswA's requests left on vswA ($((a2 - a1)) packets)" || fail "vswA sent $((a2 - a1))"
unreachable "vpc2 -> vswA's instance" "$vpc2" 172.16.1.2
reachable "vpc2 -> vswB's instance" "$vpc2" 172.16.2.2

step "deleting a vSwitch removes its link and its routes"
instB=$(xp --json instance list --vswitch "$vswB" | jq -r '.[0].InstanceId')
expect_refused "vSwitch with an instance" DependencyViolation.Instance vswitch delete "$vswB"
xp instance delete "$instB" >/dev/null
xp vswitch delete "$vswB" >/dev/null
if in_vpc "$vpc1" ip link show "$ifB" >/dev/null 2>&1; then fail "vswB's link is still there"; else pass "vswB's link is gone"; fi
rules=$(in_vpc "$vpc1" ip rule show | grep -c 172.16.2.0 || true)
[ "$rules" = 0 ] && pass "its source rule is gone" || fail "$rules rules remain"
left=$(bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq '[.[] | select(.formatted.key.addr == [172,16,2,0] and .formatted.value.kind == 1)] | length')
[ "$left" = 0 ] && pass "its system route is gone from the map" || fail "$left map entries remain"
unreachable "vpc2 -> the deleted vSwitch" "$vpc2" 172.16.2.2

finish
