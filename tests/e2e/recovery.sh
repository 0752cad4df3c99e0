#!/usr/bin/env bash
# The kernel side follows the store: after a teardown (or a reboot) `reconcile`, or the next
# write, rebuilds namespaces, links and maps; orphans of killed commands are found by `check`
# and removed by `reconcile`, which names them; a command killed with SIGKILL at any point
# leaves nothing that the next command, even one that only reads, does not repair.
#
#   vpc1 172.16.0.0/12 (vsw 172.16.1.0/24) --pcc-- vpc2 192.168.0.0/16 (vsw 192.168.1.0/24)
source "$(dirname "$0")/lib.sh"

links_in_datapath() { ip netns exec "$XPEER_DATAPATH_NETNS" ip -j link show | jq -r '[.[] | select(.ifname | startswith("xp"))] | length'; }
rules_in() { in_vpc "$1" ip -j rule show | jq '[.[] | select(.priority >= 2000 and .priority < 32766)] | length'; }
# kill_after SECONDS ARGS...: the CLI, killed with SIGKILL after that long (if still running).
kill_after() {
  local delay=$1 pid
  shift
  "$XPEER" "$@" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
rules6_in() { in_vpc "$1" ip -6 -j rule show | jq '[.[] | select(.priority >= 2000 and .priority < 32766)] | length'; }

step "topology"
peered_pair
reachable "vpc1 -> vpc2" "$vpc1" 192.168.1.2

step "teardown, then reconcile"
xp teardown
[ -z "$(ip netns list | grep "^$RUN_ID" || true)" ] && pass "teardown removed every namespace" || fail "namespaces left"
[ ! -e "$XPEER_BPFFS" ] && pass "teardown removed the pins" || fail "pins left"
xp reconcile
reachable "vpc1 -> vpc2 after reconcile" "$vpc1" 192.168.1.2
reachable "vpc2 -> vpc1 after reconcile" "$vpc2" 172.16.1.2

step "teardown, then any write rebuilds first"
xp teardown
xp instance create --vswitch "$vsw1" --ip 172.16.1.9 >/dev/null
reachable "vpc1 (new instance) -> vpc2 after the write" "$vpc1" -I 172.16.1.9 192.168.1.2
reachable "vpc1 (old instance) -> vpc2" "$vpc1" -I 172.16.1.2 192.168.1.2

step "orphans of killed commands: check finds each, reconcile names what it repaired"
ip netns add "$RUN_ID-vpc-orphan000000000000"
# what a command killed after making its link, before committing, leaves in a known VPC
in_vpc "$vpc1" ip link add vsorphan0000000 type veth peer name xporphan0000000
in_vpc "$vpc1" ip rule add from 172.16.99.0/24 lookup 1999 priority 2999
in_vpc "$vpc1" ip -6 rule add from fd00:99::/64 lookup 1999 priority 2999
in_vpc "$vpc1" ip rule add from all lookup 1998 priority 2998  # not a vSwitch's: reconcile leaves it
before=$(rules_in "$vpc1")
found=$("$XPEER" check 2>/dev/null) && fail "check found no drift" || pass "check exits non-zero on drift"
for what in "netns $RUN_ID-vpc-orphan000000000000: not in the store" "link vsorphan0000000 in .*: not in the store" \
  "rule from 172.16.99.0/24 lookup 1999 priority 2999 in .*: not in the store" "rule from fd00:99::/64 lookup 1999 .*: not in the store"; do
  grep -q "^$what" <<<"$found" && pass "check: $what" || fail "check did not report '$what': $found"
done
repaired=$(xp --json reconcile)
[ "$(jq '.Repaired | length' <<<"$repaired")" = 4 ] && pass "reconcile reports the 4 differences it repaired" || fail "reconcile reported: $repaired"
[ "$(jq '.Remaining | length' <<<"$repaired")" = 0 ] && pass "and none remains" || fail "remaining: $repaired"
expect_ok "check is clean after reconcile" "$XPEER" check
ip netns list | grep -q "$RUN_ID-vpc-orphan" && fail "orphan namespace kept" || pass "orphan namespace removed"
in_vpc "$vpc1" ip link show vsorphan0000000 >/dev/null 2>&1 && fail "orphan veth kept" || pass "orphan veth removed"
[ "$(rules_in "$vpc1")" = $((before - 1)) ] && pass "orphan v4 source rule removed" || fail "v4 rules: $before before, $(rules_in "$vpc1") after"
[ "$(rules6_in "$vpc1")" = 0 ] && pass "orphan v6 source rule removed" || fail "v6 rules left: $(rules6_in "$vpc1")"
in_vpc "$vpc1" ip rule show priority 2998 | grep -q "lookup 1998" && pass "a rule from all is left alone" || fail "the rule from all was removed"
in_vpc "$vpc1" ip rule del priority 2998
reachable "vpc1 -> vpc2 after removing orphans" "$vpc1" 192.168.1.2

step "SIGKILL at any point of vswitch create"
n=10
for delay in 0.01 0.03 0.05 0.08 0.12 0.2; do
  n=$((n + 1))
  kill_after "$delay" vswitch create --vpc "$vpc1" --cidr "172.16.$n.0/24"
done
xp --json vpc list >/dev/null  # a command that writes nothing repairs what the killed ones left
expect_ok "check finds nothing after the next command" "$XPEER" check
want=$(xp --json vswitch list | jq length)
have=$(links_in_datapath)
[ "$want" = "$have" ] && pass "links in the datapath match the store ($have)" || fail "store has $want vSwitches, datapath $have links"
want1=$(xp --json vswitch list --vpc "$vpc1" | jq length)
have1=$(rules_in "$vpc1")
[ "$want1" = "$have1" ] && pass "source rules in vpc1 match the store ($have1)" || fail "vpc1 has $want1 vSwitches but $have1 source rules"
reachable "vpc1 -> vpc2 after the kills" "$vpc1" -I 172.16.1.2 192.168.1.2
for m in $(seq 11 $n); do
  if ! xp --json vswitch list | jq -e --arg c "172.16.$m.0/24" 'any(.[]; .CidrBlock == $c)' >/dev/null; then
    xp vswitch create --vpc "$vpc1" --cidr "172.16.$m.0/24" >/dev/null && pass "172.16.$m.0/24 can be created after its killed attempt" ||
      fail "172.16.$m.0/24 cannot be created again"
  fi
done
[ "$(rules_in "$vpc1")" = "$(xp --json vswitch list --vpc "$vpc1" | jq length)" ] && pass "one source rule per vSwitch" || fail "rules: $(rules_in "$vpc1")"

step "SIGKILL at any point of peering create"
peerings_in_maps() { bpftool -j map dump pinned "$XPEER_BPFFS/xp_peerings" | jq "[.[] | select(.formatted.value.vpc_a != 0 ${1:-})] | length"; }
m=0
for delay in 0.005 0.01 0.02 0.04 0.08; do
  m=$((m + 1))
  spoke=$(xp vpc create --cidr "10.$m.0.0/16")
  kill_after "$delay" peering create --vpc "$vpc1" --peer-vpc "$spoke"
done
xp reconcile >/dev/null
live=$(xp --json peering list | jq '[.[] | select(.Status != "Deleted")] | length')
active=$(xp --json peering list | jq '[.[] | select(.Status == "Activated")] | length')
[ "$(peerings_in_maps)" = "$live" ] && pass "peering slots in the maps match the store ($live)" || fail "maps hold $(peerings_in_maps) peerings, the store $live"
[ "$(peerings_in_maps "and .formatted.value.active == 1")" = "$active" ] && pass "active ones match Activated ($active)" ||
  fail "maps have $(peerings_in_maps "and .formatted.value.active == 1") active, the store $active Activated"
reachable "vpc1 -> vpc2 after the kills" "$vpc1" -I 172.16.1.2 192.168.1.2

step "SIGKILL during route imports: the next command, whatever it is, leaves the maps as the store says"
routes_in_maps() { bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq length; }
dirty_flag() { bpftool -j map dump pinned "$XPEER_BPFFS/xp_control" | jq '.[0].formatted.value.dirty'; }
for delay in 0.1 0.2 0.3 0.4 0.6; do
  awk -v d="$delay" 'BEGIN { for (i = 0; i < 20000; i++) printf "10.%d.%d.%d/32\n", d * 100, int(i / 256), i % 256 }' >"$E2E_TMP/routes"
  kill_after "$delay" route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP/routes"
  left="left the maps $( [ "$(dirty_flag)" = 1 ] && echo dirty || echo clean)"
  xp --json route list --vpc "$vpc2" >/dev/null  # reads only
  # a vSwitch is its subnet and its network, gateway and broadcast addresses
  want=$(( $(xp --json route list | jq length) + 4 * $(xp --json vswitch list | jq length) ))
  have=$(routes_in_maps)
  [ "$want" = "$have" ] && pass "killed after ${delay}s ($left): $have route keys in the maps, as the store has" ||
    fail "killed after ${delay}s: the store makes $want route keys, the maps hold $have"
  [ "$(dirty_flag)" = 0 ] && pass "killed after ${delay}s: the maps are clean again" || fail "the dirty flag is still $(dirty_flag)"
  expect_ok "killed after ${delay}s: check finds nothing" "$XPEER" check
done
reachable "vpc1 -> vpc2 after the killed imports" "$vpc1" -I 172.16.1.2 192.168.1.2

finish
