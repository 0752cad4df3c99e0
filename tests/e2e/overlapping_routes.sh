#!/usr/bin/env bash
# The seed's routing rules, end to end. A route may cover the VPC's own CIDR block (overlapping
# VPCs): it is accepted with a warning (so is the peering of such VPCs), and the system routes (the vSwitches' CIDR blocks) win
# for the overlapping part: such a packet stays in its own VPC even when the peer has a host at
# that address. Routes more specific than a system route are refused; peer-vSwitch destinations
# are fine; nothing propagates.
#
#   vpc1 10.0.0.0/16: vswA 10.0.1.0/24 (10.0.1.2), vswB 10.0.3.0/24 (10.0.3.2)
#   vpc2 10.0.0.0/8:  vswC 10.0.1.0/24 (10.0.1.77), vswD 10.0.2.0/24 (10.0.2.77)
#   vpc1 route 10.0.0.0/8 -> pcc (covers its own /16);  vpc2 route 10.0.3.0/24 -> pcc
source "$(dirname "$0")/lib.sh"

crossed() { counter "$pcc" 0 Packets; }  # vpc1 -> vpc2 packets on the link

step "topology"
vpc1=$(xp vpc create --cidr 10.0.0.0/16)
vpc2=$(xp vpc create --cidr 10.0.0.0/8)
vswA=$(xp vswitch create --vpc "$vpc1" --cidr 10.0.1.0/24)
vswB=$(xp vswitch create --vpc "$vpc1" --cidr 10.0.3.0/24)
vswC=$(xp vswitch create --vpc "$vpc2" --cidr 10.0.1.0/24)
vswD=$(xp vswitch create --vpc "$vpc2" --cidr 10.0.2.0/24)
xp instance create --vswitch "$vswA" --ip 10.0.1.2 >/dev/null
xp instance create --vswitch "$vswB" --ip 10.0.3.2 >/dev/null
xp instance create --vswitch "$vswC" --ip 10.0.1.77 >/dev/null
xp instance create --vswitch "$vswD" --ip 10.0.2.77 >/dev/null
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2" 2>"$E2E_TMP/create.err")
grep -q "^warning: $vpc1's CIDR block 10.0.0.0/16 overlaps peer VPC $vpc2's 10.0.0.0/8" "$E2E_TMP/create.err" && [ -n "$pcc" ] &&
  pass "peering create warns of the overlapping CIDR blocks, and creates $pcc" || fail "create: '$pcc', stderr: $(cat "$E2E_TMP/create.err")"

step "route rules"
expect_refused "a route equal to a system route" InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute route add --vpc "$vpc1" --destination 10.0.1.0/24 --next-hop "$pcc"
expect_refused "a route more specific than a system route" InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute route add --vpc "$vpc1" --destination 10.0.1.128/25 --next-hop "$pcc"
expect_refused "the peer's vSwitch where it overlaps our own" InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute route add --vpc "$vpc2" --destination 10.0.1.0/24 --next-hop "$pcc"
warning=$(xp route add --vpc "$vpc1" --destination 10.0.0.0/8 --next-hop "$pcc" 2>&1 >/dev/null)
grep -q "^warning: .*system routes .* win" <<<"$warning" && pass "a route covering the VPC's own CIDR warns: $warning" || fail "no warning: $warning"
xp route add --vpc "$vpc2" --destination 10.0.3.0/24 --next-hop "$pcc" >/dev/null && pass "a peer-vSwitch destination that overlaps nothing" || fail "peer-vSwitch route refused"

step "the data plane: system routes win for the overlapping part"
reachable "vpc1 10.0.3.2 -> vpc2 10.0.2.77 (only the peering route covers it)" "$vpc1" -I 10.0.3.2 10.0.2.77
local_before=$(xp --operator --json stats | jq '.Reasons[] | select(.Reason == "forward_local").Packets')
before=$(crossed)
unreachable "vpc1 10.0.3.2 -> 10.0.1.77: vpc1's own vSwitch route wins, vpc2's host there gets nothing" "$vpc1" -I 10.0.3.2 10.0.1.77
after=$(crossed)
[ "$before" = "$after" ] && pass "no packet for 10.0.1.77 crossed the link ($after before and after)" || fail "$((after - before)) packets crossed"
local_after=$(xp --operator --json stats | jq '.Reasons[] | select(.Reason == "forward_local").Packets')
[ "$((local_after - local_before))" -ge 2 ] && pass "the router delivered them inside vpc1 (forward_local +$((local_after - local_before)))" ||
  fail "forward_local went from $local_before to $local_after"

step "no propagation"
reachable "vpc2 10.0.2.77 -> vpc1 10.0.3.2 (its route)" "$vpc2" -I 10.0.2.77 10.0.3.2
xp route delete "$(xp --json route list --vpc "$vpc2" | jq -r '.[0].RouteEntryId')" >/dev/null
unreachable "with vpc2's route gone, vpc1 -> vpc2 gets no reply" "$vpc1" -I 10.0.3.2 10.0.2.77

finish
