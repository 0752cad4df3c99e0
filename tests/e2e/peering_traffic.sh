#!/usr/bin/env bash
# Two peered VPCs exchange ping (v4, v6) and TCP in both directions through the XDP router;
# a third, unpeered VPC reaches neither; deleting the peering stops the traffic and reports
# its final counters.
#
#   vpc1 172.16.0.0/12 fd00:3f00::/56        vpc2 192.168.0.0/16 fd00:4000::/56
#     vsw1 172.16.1.0/24 fd00:3f00:0:1::/64     vsw2 192.168.1.0/24 fd00:4000:0:1::/64
#        inst1 .2 ::2                              inst2 .2 ::2
#             \______________ pcc (Activated) _______________/
#   vpc3 10.0.0.0/16  vsw3 10.0.1.0/24  inst3 10.0.1.2   (routes to both, no peering)
source "$(dirname "$0")/lib.sh"

step "topology"
vpc1=$(xp vpc create --cidr 172.16.0.0/12 --ipv6-cidr fd00:3f00::/56 --name vpc1)
vpc2=$(xp vpc create --cidr 192.168.0.0/16 --ipv6-cidr fd00:4000::/56 --name vpc2)
vpc3=$(xp vpc create --cidr 10.0.0.0/16 --name vpc3)
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24 --ipv6-cidr fd00:3f00:0:1::/64)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24 --ipv6-cidr fd00:4000:0:1::/64)
vsw3=$(xp vswitch create --vpc "$vpc3" --cidr 10.0.1.0/24)
xp instance create --vswitch "$vsw1" --ip 172.16.1.2 --ipv6 fd00:3f00:0:1::2
xp instance create --vswitch "$vsw2" --ip 192.168.1.2 --ipv6 fd00:4000:0:1::2
xp instance create --vswitch "$vsw3" --ip 10.0.1.2

step "before peering: nothing crosses"
unreachable "vpc1 -> vpc2 without a peering" "$vpc1" 192.168.1.2

step "peering and routes at both ends (the seed's route table)"
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
status=$(xp --json peering show "$pcc" | jq -r .Status)
[ "$status" = Activated ] && pass "same-account peering is Activated" || fail "status is $status"
xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc1" --destination fd00:4000::/56 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc2" --destination fd00:3f00::/56 --next-hop "$pcc" >/dev/null
xp events --peering "$pcc"
transitions=$(xp --json events --peering "$pcc" | jq -r '[.[].Status] | join(",")')
[ "$transitions" = "Creating,Updating,Activated" ] && pass "passed Creating -> Updating -> Activated" || fail "transitions: $transitions"

step "traffic between the peered VPCs"
reachable "ping vpc1 -> vpc2 (v4)" "$vpc1" -I 172.16.1.2 192.168.1.2
reachable "ping vpc2 -> vpc1 (v4)" "$vpc2" -I 192.168.1.2 172.16.1.2
reachable "ping vpc1 -> vpc2 (v6)" "$vpc1" -6 fd00:4000:0:1::2
reachable "ping vpc2 -> vpc1 (v6)" "$vpc2" -6 fd00:3f00:0:1::2
# Each stream must show up, whole, in its own direction's byte counter: at least the payload
# the receiver got, at most that plus 20%: frame headers are 4.5% (v4) to 6% (v6) of a full
# frame, and retransmissions under load have added up to 6% more.
stream_counted() {
  local what=$1 from=$2 to=$3 addr=$4 dir=$5 before after got counted
  before=$(counter "$pcc" "$dir" Bytes)
  if ! got=$(tcp_stream "$from" "$to" "$addr"); then
    fail "$what: no data arrived"
    return
  fi
  after=$(counter "$pcc" "$dir" Bytes)
  counted=$((after - before))
  if [ "$counted" -ge "$got" ] && [ "$counted" -le $((got + got / 5 + 100000)) ]; then
    pass "$what: $got bytes received, $counted bytes counted on the link"
  else
    fail "$what: $got bytes received, but $counted bytes counted on the link"
  fi
}
stream_counted "TCP vpc1 -> vpc2" "$vpc1" "$vpc2" 192.168.1.2 0
stream_counted "TCP vpc2 -> vpc1" "$vpc2" "$vpc1" 172.16.1.2 1
stream_counted "TCP vpc1 -> vpc2 (v6)" "$vpc1" "$vpc2" fd00:4000:0:1::2 0
stream_counted "TCP vpc2 -> vpc1 (v6)" "$vpc2" "$vpc1" fd00:3f00:0:1::2 1
xp stats "$pcc"

step "an unpeered VPC reaches neither"
xp route list --vpc "$vpc3" >/dev/null
unreachable "vpc3 -> vpc1" "$vpc3" 172.16.1.2
unreachable "vpc3 -> vpc2" "$vpc3" 192.168.1.2
unreachable "vpc1 -> vpc3" "$vpc1" -I 172.16.1.2 10.0.1.2

step "delete the peering: refused while routes use it, then forced"
expect_refused "delete with routes" DependencyViolation.RouteEntry peering delete "$pcc"
reachable "still flowing after the refused delete" "$vpc1" -I 172.16.1.2 192.168.1.2
before=$(counter "$pcc" 0 Packets)
xp peering delete --force "$pcc"
unreachable "vpc1 -> vpc2 after delete" "$vpc1" -I 172.16.1.2 192.168.1.2
unreachable "vpc2 -> vpc1 after delete" "$vpc2" -I 192.168.1.2 172.16.1.2
[ "$(xp --json route list | jq length)" = 0 ] && pass "routes at both ends removed" || fail "routes remain"
xp stats "$pcc"
after=$(counter "$pcc" 0 Packets)
[ "$after" -ge "$before" ] && [ "$after" -gt 0 ] && pass "final counters reported ($after packets vpc1 -> vpc2)" || fail "counters $before -> $after"
[ "$(xp --json peering show "$pcc" | jq -r .Status)" = Deleted ] && pass "status Deleted" || fail "status not Deleted"

finish
