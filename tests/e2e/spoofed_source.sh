#!/usr/bin/env bash
# A VPC sends only from its own addresses. vpc2 peers with vpc1 and vpc3; vpc1 and vpc3 do not
# peer. From vpc1, a packet to vpc2 with a source of vpc3's would make vpc2 answer vpc3 (a
# reflection into a tenant vpc1 has no peering with): the router drops it as spoofed, v4 and v6,
# and vpc2 receives nothing. Also to the peer's reserved addresses (network, gateway, broadcast).
#
#   vpc1 10.1.0.0/16 fd00:1::/56 --pcc12-- vpc2 10.2.0.0/16 fd00:2::/56 --pcc23-- vpc3 10.3.0.0/16 fd00:3::/56
source "$(dirname "$0")/lib.sh"

step "topology"
for n in 1 2 3; do
  declare "vpc$n=$(xp vpc create --cidr 10.$n.0.0/16 --ipv6-cidr fd00:$n::/56 --name vpc$n)"
  vpc_var="vpc$n"
  vsw=$(xp vswitch create --vpc "${!vpc_var}" --cidr 10.$n.1.0/24 --ipv6-cidr fd00:$n:0:1::/64)
  xp instance create --vswitch "$vsw" --ip 10.$n.1.2 --ipv6 fd00:$n:0:1::2 >/dev/null
done
pcc12=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
pcc23=$(xp peering create --vpc "$vpc2" --peer-vpc "$vpc3")
for dst in 10.2.0.0/16 fd00:2::/56; do xp route add --vpc "$vpc1" --destination $dst --next-hop "$pcc12" >/dev/null; done
for dst in 10.1.0.0/16 fd00:1::/56; do xp route add --vpc "$vpc2" --destination $dst --next-hop "$pcc12" >/dev/null; done
for dst in 10.3.0.0/16 fd00:3::/56; do xp route add --vpc "$vpc2" --destination $dst --next-hop "$pcc23" >/dev/null; done
for dst in 10.2.0.0/16 fd00:2::/56; do xp route add --vpc "$vpc3" --destination $dst --next-hop "$pcc23" >/dev/null; done
# vpc1 claims vpc3's addresses, on its loopback: the VPC's default routes carry them out.
in_vpc "$vpc1" ip addr add 10.3.1.2/32 dev lo
in_vpc "$vpc1" ip addr add fd00:3:0:1::2/128 dev lo nodad

verdict() { "$XPEER" --operator --json stats | jq -r --arg r "$1" '.Reasons[] | select(.Reason == $r).Packets'; }
received() { in_vpc "$1" ip -s -j link show | jq '[.[] | select(.ifname != "lo") | .stats64.rx.packets] | add'; }

step "the peers talk from their own addresses"
reachable "vpc1 -> vpc2" "$vpc1" -I 10.1.1.2 10.2.1.2
reachable "vpc1 -> vpc2 (IPv6)" "$vpc1" -I fd00:1:0:1::2 fd00:2:0:1::2
reachable "vpc3 -> vpc2" "$vpc3" 10.2.1.2

step "a source of vpc3's from vpc1 is dropped before the peering"
spoofed=$(verdict drop_spoofed)
crossed=$(counter "$pcc12" 0 Packets)
before=$(received "$vpc2")
unreachable "vpc1 -> vpc2 from vpc3's 10.3.1.2" "$vpc1" -I 10.3.1.2 10.2.1.2
unreachable "vpc1 -> vpc2 from vpc3's fd00:3:0:1::2" "$vpc1" -I fd00:3:0:1::2 fd00:2:0:1::2
after=$(received "$vpc2")
[ "$after" = "$before" ] && pass "vpc2 received nothing of them" || fail "vpc2 received $((after - before)) packets"
now=$(verdict drop_spoofed)
[ "$((now - spoofed))" -ge 4 ] && pass "counted as drop_spoofed ($((now - spoofed)))" || fail "drop_spoofed moved by $((now - spoofed))"
now=$(counter "$pcc12" 0 Packets)
[ "$now" = "$crossed" ] && pass "nothing spoofed crossed pcc12" || fail "pcc12 carried $((now - crossed)) spoofed packets"

step "the peer's network, gateway and broadcast addresses are not reachable through the peering"
reserved=$(verdict drop_reserved)
before=$(received "$vpc2")
for dst in 10.2.1.0 10.2.1.1 10.2.1.255 fd00:2:0:1::1; do
  in_vpc "$vpc1" ping -c 1 -W 1 -b "$dst" >/dev/null 2>&1 || true
done
after=$(received "$vpc2")
[ "$after" = "$before" ] && pass "vpc2 received nothing" || fail "vpc2 received $((after - before)) packets"
now=$(verdict drop_reserved)
[ "$((now - reserved))" -ge 4 ] && pass "counted as drop_reserved ($((now - reserved)))" || fail "drop_reserved moved by $((now - reserved))"

step "the VPC's own gateway is not hairpinned back into the VPC"
before=$(received "$vpc1")
in_vpc "$vpc1" ping -c 2 -i 0.2 -W 1 10.1.1.1 >/dev/null 2>&1 || true
after=$(received "$vpc1")
[ "$after" = "$before" ] && pass "nothing came back" || fail "vpc1 received $((after - before)) packets"

finish
