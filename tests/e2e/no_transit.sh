#!/usr/bin/env bash
# Peering is not transitive: VPC1 peers VPC2, VPC2 peers VPC3. VPC1 cannot reach VPC3 through
# VPC2, even with routes that name the peerings at every step; the router drops the attempt as
# transit and counts it on the VPC1-VPC2 link.
#
#   vpc1 10.1.0.0/16 --pcc12-- vpc2 10.2.0.0/16 --pcc23-- vpc3 10.3.0.0/16
source "$(dirname "$0")/lib.sh"

step "topology"
for n in 1 2 3; do
  declare "vpc$n=$(xp vpc create --cidr 10.$n.0.0/16 --name vpc$n)"
done
for n in 1 2 3; do
  vpc_var="vpc$n"
  vsw=$(xp vswitch create --vpc "${!vpc_var}" --cidr 10.$n.1.0/24)
  xp instance create --vswitch "$vsw" --ip 10.$n.1.2 >/dev/null
done
pcc12=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
pcc23=$(xp peering create --vpc "$vpc2" --peer-vpc "$vpc3")
xp route add --vpc "$vpc1" --destination 10.2.0.0/16 --next-hop "$pcc12" >/dev/null
xp route add --vpc "$vpc2" --destination 10.1.0.0/16 --next-hop "$pcc12" >/dev/null
xp route add --vpc "$vpc2" --destination 10.3.0.0/16 --next-hop "$pcc23" >/dev/null
xp route add --vpc "$vpc3" --destination 10.2.0.0/16 --next-hop "$pcc23" >/dev/null
# The transit attempt: VPC1 sends VPC3's block into pcc12, VPC3 answers through pcc23.
xp route add --vpc "$vpc1" --destination 10.3.0.0/16 --next-hop "$pcc12" >/dev/null
xp route add --vpc "$vpc3" --destination 10.1.0.0/16 --next-hop "$pcc23" >/dev/null
xp route list

step "direct peers talk"
reachable "vpc1 -> vpc2" "$vpc1" 10.2.1.2
reachable "vpc2 -> vpc3" "$vpc2" 10.3.1.2

step "no transit through vpc2"
unreachable "vpc1 -> vpc3 through vpc2" "$vpc1" 10.3.1.2
unreachable "vpc3 -> vpc1 through vpc2" "$vpc3" 10.1.1.2
xp stats
transit12=$(counter "$pcc12" 0 DropTransit)
transit32=$(counter "$pcc23" 1 DropTransit)
[ "$transit12" -ge 2 ] && pass "vpc1 -> vpc3 dropped as transit on pcc12 ($transit12 packets)" || fail "pcc12 drop_transit = $transit12"
[ "$transit32" -ge 2 ] && pass "vpc3 -> vpc1 dropped as transit on pcc23 ($transit32 packets)" || fail "pcc23 drop_transit = $transit32"
leaked=$(in_vpc "$vpc3" ip -s -j link show | jq '[.[] | select(.ifname != "lo") | .stats64.rx.packets] | add')
before=$leaked
in_vpc "$vpc1" ping -c 3 -i 0.2 -W 1 10.3.1.2 >/dev/null 2>&1 || true
leaked=$(in_vpc "$vpc3" ip -s -j link show | jq '[.[] | select(.ifname != "lo") | .stats64.rx.packets] | add')
[ "$leaked" = "$before" ] && pass "nothing from vpc1 arrived in vpc3" || fail "vpc3 received $((leaked - before)) packets during the transit attempt"

finish
