#!/usr/bin/env bash
# Two VPCs with the same CIDR block and the same addresses stay isolated. A third VPC peered with
# only one of them reaches that one alone, and the other sees none of its packets.
#
#   vpcA 10.0.0.0/16 (10.0.1.2) --pcc-- vpcC 172.20.0.0/16 (172.20.1.2)
#   vpcB 10.0.0.0/16 (10.0.1.2)          (no peering)
source "$(dirname "$0")/lib.sh"

rx_packets() { in_vpc "$1" ip -s -j link show | jq '[.[] | select(.ifname != "lo") | .stats64.rx.packets] | add'; }

step "topology"
vpcA=$(xp vpc create --cidr 10.0.0.0/16 --name vpcA)
vpcB=$(xp vpc create --cidr 10.0.0.0/16 --name vpcB)
vpcC=$(xp vpc create --cidr 172.20.0.0/16 --name vpcC)
for v in "$vpcA" "$vpcB"; do
  vsw=$(xp vswitch create --vpc "$v" --cidr 10.0.1.0/24)
  xp instance create --vswitch "$vsw" --ip 10.0.1.2 >/dev/null
  xp instance create --vswitch "$vsw" --ip 10.0.1.3 >/dev/null
done
vswC=$(xp vswitch create --vpc "$vpcC" --cidr 172.20.1.0/24)
xp instance create --vswitch "$vswC" --ip 172.20.1.2 >/dev/null
pcc=$(xp peering create --vpc "$vpcC" --peer-vpc "$vpcA")
xp route add --vpc "$vpcC" --destination 10.0.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpcA" --destination 172.20.0.0/16 --next-hop "$pcc" >/dev/null

step "C reaches A, and only A"
b_before=$(rx_packets "$vpcB")
reachable "vpcC -> 10.0.1.2 (in A)" "$vpcC" 10.0.1.2
reachable "vpcA -> vpcC" "$vpcA" -I 10.0.1.2 172.20.1.2
b_after=$(rx_packets "$vpcB")
[ "$b_after" = "$b_before" ] && pass "vpcB received nothing ($b_after packets in all)" || fail "vpcB received $((b_after - b_before)) packets"
a_to_c=$(counter "$pcc" 1 Packets)
[ "$a_to_c" -ge 2 ] && pass "replies counted on the A side of the link ($a_to_c)" || fail "A -> C packets $a_to_c"

step "B has no way out"
unreachable "vpcB -> vpcC" "$vpcB" -I 10.0.1.2 172.20.1.2
expect_refused "B cannot use A's peering" InvalidNextHop.NotOfVpc route add --vpc "$vpcB" --destination 172.20.0.0/16 --next-hop "$pcc"
unreachable "vpcB -> vpcC after the refused route" "$vpcB" -I 10.0.1.2 172.20.1.2

finish
