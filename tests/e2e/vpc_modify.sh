#!/usr/bin/env bash
# vpc modify: two VPCs created without IPv6 and peered get IPv6 blocks afterwards; vSwitches
# made after that carry IPv6 across the peering as in VPCs created with it, and IPv4 keeps
# flowing. A rename shows in `vpc list`; refused modifies change nothing (store, maps, namespace).
#
#   vpc1 172.16.0.0/12 (+ fd00:3f00::/56 by modify)         vpc2 192.168.0.0/16 (+ fd00:4000::/56 by modify)
#     vsw1 172.16.1.0/24                 inst .2               vsw2 192.168.1.0/24                  inst .2
#     vsw1b 172.16.2.0/24 fd00:3f00:0:1::/64  inst .2 ::2       vsw2b 192.168.2.0/24 fd00:4000:0:1::/64  inst .2 ::2
#             \__________________________ pcc (Activated) ___________________________/
source "$(dirname "$0")/lib.sh"

step "two VPCs without IPv6, peered"
peered_pair
reachable "ping vpc1 -> vpc2 (v4)" "$vpc1" -I 172.16.1.2 192.168.1.2
expect_refused "an IPv6 vSwitch in a VPC without IPv6" InvalidIpv6CidrBlock.VpcHasNoIpv6 \
  vswitch create --vpc "$vpc1" --cidr 172.16.2.0/24 --ipv6-cidr fd00:3f00:0:1::/64

# What a refused modify must leave as it was: the store's view, the maps, vpc1's namespace.
snapshot() {
  xp --json vpc list
  xp --json events --resource "$vpc1"
  for map in xp_routes_v4 xp_routes_v6 xp_ports xp_peerings; do xp --operator --json maps "$map"; done
  in_vpc "$vpc1" ip -o addr show
  in_vpc "$vpc1" ip -6 route show table all
  in_vpc "$vpc1" ip -6 rule show
}

step "refused modifies change nothing"
before=$(snapshot)
expect_refused "an IPv4 block as --ipv6-cidr" InvalidCidrBlock.Family vpc modify "$vpc1" --ipv6-cidr 10.9.0.0/16
expect_refused "a /65" InvalidIpv6CidrBlock.Size vpc modify "$vpc1" --ipv6-cidr fd00:3f00::/65
expect_refused "a malformed block" InvalidCidrBlock.Malformed vpc modify "$vpc1" --ipv6-cidr fd00:3f00::1/56
expect_refused "a malformed name" InvalidVpcName.Malformed vpc modify "$vpc1" --name 1shop --ipv6-cidr fd00:3f00::/56
expect_refused "another account's VPC" InvalidVpcId.NotFound --account 4242 vpc modify "$vpc1" --name shop
expect_refused "nothing to change" MissingParameter vpc modify "$vpc1"
dry=$(xp vpc modify "$vpc1" --name shop --ipv6-cidr fd00:3f00::/56 --dry-run)
grep -q "^dry run: nothing was changed" <<<"$dry" && grep -q "Modified" <<<"$dry" && pass "dry run prints the change" || fail "dry run: $dry"
[ "$(snapshot)" = "$before" ] && pass "store, maps and namespace as before" || fail "a refused modify changed something: $(diff <(echo "$before") <(snapshot))"

step "rename"
xp vpc modify "$vpc1" --name shop >/dev/null
xp vpc list | grep -q "^$vpc1 *shop " && pass "vpc list shows the new name" || fail "vpc list: $(xp vpc list)"
[ "$(xp --json vpc list | jq -r ".[] | select(.VpcId == \"$vpc1\") | .VpcName")" = shop ] && pass "VpcName in JSON" || fail "JSON: $(xp --json vpc list)"

step "IPv6 blocks added to both (vpc1 by its new name)"
xp vpc modify shop --ipv6-cidr fd00:3f00::/56 >/dev/null
shown=$(xp --json vpc modify "$vpc2" --ipv6-cidr fd00:4000::/56 | jq -r .Ipv6CidrBlock)
[ "$shown" = fd00:4000::/56 ] && pass "modify prints Ipv6CidrBlock" || fail "modify printed $shown"
[ "$(xp --json vpc show "$vpc1" | jq -r .Ipv6CidrBlock)" = fd00:3f00::/56 ] && pass "vpc show has the block" || fail "vpc show: $(xp --json vpc show "$vpc1")"
expect_refused "a second IPv6 block" InvalidIpv6CidrBlock.VpcHasIpv6 vpc modify "$vpc1" --ipv6-cidr fd00:3f00:100::/56

step "IPv6 vSwitches and instances, routes at both ends"
vsw1b=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.2.0/24 --ipv6-cidr fd00:3f00:0:1::/64)
vsw2b=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.2.0/24 --ipv6-cidr fd00:4000:0:1::/64)
xp instance create --vswitch "$vsw1b" --ip 172.16.2.2 --ipv6 fd00:3f00:0:1::2 >/dev/null
xp instance create --vswitch "$vsw2b" --ip 192.168.2.2 --ipv6 fd00:4000:0:1::2 >/dev/null
xp route add --vpc "$vpc1" --destination fd00:4000::/56 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc2" --destination fd00:3f00::/56 --next-hop "$pcc" >/dev/null

step "traffic across the peering"
before_packets=$(counter "$pcc" 0 Packets)
reachable "ping vpc1 -> vpc2 (v6)" "$vpc1" -6 fd00:4000:0:1::2
reachable "ping vpc2 -> vpc1 (v6)" "$vpc2" -6 fd00:3f00:0:1::2
after_packets=$(counter "$pcc" 0 Packets)
[ "$after_packets" -gt "$before_packets" ] && pass "the v6 pings crossed the link ($((after_packets - before_packets)) packets)" ||
  fail "link counter did not move: $before_packets -> $after_packets"
reachable "ping vpc1 -> vpc2 (v4, the first vSwitches)" "$vpc1" -I 172.16.1.2 192.168.1.2
reachable "ping vpc1 -> vpc2 (v4, the new vSwitches)" "$vpc1" -I 172.16.2.2 192.168.2.2
expect_ok "xpeer check: the kernel matches the store" xp check

finish
