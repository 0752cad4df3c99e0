#!/usr/bin/env bash
# Drift: what changes behind xpeer's back is found by `check` (each difference named, exit 1),
# repaired by `reconcile`, and does not turn into a raw error in the next command: a route
# deleted from the map with bpftool, a VPC namespace deleted with `ip netns del`, a datapath veth
# deleted, a program detached or attached past its pinned BPF link, a stray pin, a VPC's compiled
# lookup cleared.
#
#   vpc1 172.16.0.0/12 (vsw 172.16.1.0/24) --pcc-- vpc2 192.168.0.0/16 (vsw 192.168.1.0/24)
source "$(dirname "$0")/lib.sh"

step "topology"
peered_pair
reachable "vpc1 -> vpc2" "$vpc1" 192.168.1.2
out=$(xp check) && pass "check: $out" || fail "check found drift in a fresh topology: $out"
[ "$(xp --json check | jq .InSync)" = true ] && pass "check --json: in sync" || fail "check --json: $(xp --json check)"

# drift_found PATTERN: check exits 1 and names the difference; --json says so too.
drift_found() {
  local out status=0
  out=$("$XPEER" check 2>&1) || status=$?
  if [ "$status" = 1 ] && grep -q -- "$1" <<<"$out"; then pass "check exits 1 naming: $(grep -m1 -- "$1" <<<"$out")"; else fail "check (status $status): $out"; fi
  out=$("$XPEER" --json check 2>/dev/null) || true
  jq -e '.InSync == false and (.Differences | length) > 0' <<<"$out" >/dev/null && pass "check --json lists it" || fail "check --json: $out"
}
repaired() {
  local out
  out=$(xp --json reconcile)
  jq -e --arg p "$1" '(.Repaired | any(.Object + ": " + .Problem | test($p))) and (.Remaining | length) == 0' <<<"$out" >/dev/null &&
    pass "reconcile repaired it and names it" || fail "reconcile: $out"
  expect_ok "check is clean again" "$XPEER" check
}

step "a route entry deleted from the map with bpftool"
key=$(bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq -r '[.[] | select(.formatted.value.kind == 2)][0].key | join(" ")')
bpftool map delete pinned "$XPEER_BPFFS/xp_routes_v4" key hex ${key//0x/} 
# (The VPC's compiled lookup, built before, still answers for it until reconcile rebuilds it.)
drift_found "^xp_routes_v4 vpc [0-9]* 192.168.0.0/16: missing (want peering slot"
repaired "xp_routes_v4 .* 192.168.0.0/16: missing"
reachable "vpc1 -> vpc2 again" "$vpc1" 192.168.1.2

step "an entry added to the map behind xpeer's back"
key=$(bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq -r '[.[] | select(.formatted.value.kind == 2)][0].key | .[0] = "0x38" | join(" ")')
value=$(bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq -r '[.[] | select(.formatted.value.kind == 2)][0].value | join(" ")')
bpftool map update pinned "$XPEER_BPFFS/xp_routes_v4" key hex ${key//0x/} value hex ${value//0x/}
drift_found "/24: not in the store"
repaired "not in the store"

step "a VPC's compiled lookup cleared with bpftool: the tries decide, check names it"
key=$(sqlite3 "$XPEER_STATE" "SELECT key FROM vpcs WHERE id = '$vpc1'")
le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
bpftool map update pinned "$XPEER_BPFFS/xp_fib_roots" key hex $(le32 $((key * 2))) value hex 00 00 00 00
reachable "vpc1 -> vpc2 through the tries" "$vpc1" 192.168.1.2
drift_found "^xp_fib_roots vpc $key IPv4: missing (want [0-9]* nodes)"
repaired "xp_fib_roots vpc $key IPv4: missing"
[ "$(bpftool -j map lookup pinned "$XPEER_BPFFS/xp_fib_roots" key hex $(le32 $((key * 2))) | jq '.value | map(tonumber) | add')" != 0 ] &&
  pass "the root is back" || fail "the root is still 0"

step "a VPC namespace deleted with ip netns del"
ip netns del "$XPEER_NETNS_PREFIX-$vpc2"
drift_found "^netns $XPEER_NETNS_PREFIX-$vpc2: missing"
out=$("$XPEER" instance create --vswitch "$vsw2" 2>&1) && status=0 || status=$?
if [ "$status" = 1 ] && grep -q "^error: Kernel.Repaired: .*run the command again" <<<"$out"; then
  pass "instance create names the drift it repaired: $out"
elif [ "$status" = 0 ]; then
  pass "instance create worked on a repaired kernel"
else
  fail "instance create: status $status: $out"
fi
expect_ok "check is clean after that command" "$XPEER" check
xp instance create --vswitch "$vsw2" --ip 192.168.1.9 >/dev/null && pass "and the command works when run again" || fail "instance create again"
reachable "vpc1 -> vpc2 after the namespace came back" "$vpc1" 192.168.1.2

step "a datapath veth deleted"
dpif="xp${vsw1#vsw-}"
ip -n "$XPEER_DATAPATH_NETNS" link del "${dpif:0:15}"
drift_found "^link ${dpif:0:15} ($vsw1): missing"
repaired "link ${dpif:0:15}"
reachable "vpc1 -> vpc2 on a new link" "$vpc1" 192.168.1.2

step "the router program detached from a vSwitch link"
pin="$XPEER_BPFFS/links/${dpif:0:15}"
# netlink_detach_refused: `ip link set xdpdrv off` and `xdpgeneric off`; the pinned link's mode is refused
netlink_detach_refused() {
  local refused=0 mode
  for mode in xdpdrv xdpgeneric; do ip -n "$XPEER_DATAPATH_NETNS" link set dev "${dpif:0:15}" "$mode" off 2>/dev/null || refused=$((refused + 1)); done
  [ "$refused" = 1 ] && pass "ip link set xdp off is refused in the link's mode: the pinned BPF link holds the interface" ||
    fail "netlink detaches refused in $refused modes"
}
netlink_detach_refused
expect_ok "check is clean after the refused detach" "$XPEER" check
bpftool link detach pinned "$pin"
drift_found "the router program is not attached on ${dpif:0:15}"
repaired "the router program is not attached"
reachable "vpc1 -> vpc2 with the program back" "$vpc1" 192.168.1.2

step "the router program attached by netlink instead of its pinned link"
bpftool link detach pinned "$pin"
# `ip -n` hides /sys/fs/bpf; nsenter enters only the network namespace
nsenter --net="/run/netns/$XPEER_DATAPATH_NETNS" bpftool net attach xdpdrv pinned "$XPEER_BPFFS/xp_router" dev "${dpif:0:15}"
drift_found "not attached through its pinned BPF link $pin"
repaired "not attached through its pinned BPF link"
netlink_detach_refused

step "a pinned BPF link of no vSwitch"
bpftool link pin pinned "$pin" "$XPEER_BPFFS/links/stray"
drift_found "pinned BPF link $XPEER_BPFFS/links/stray: not in the store"
repaired "links/stray"
[ ! -e "$XPEER_BPFFS/links/stray" ] && pass "the stray pin is gone" || fail "$XPEER_BPFFS/links/stray is still pinned"
reachable "vpc1 -> vpc2 through the vSwitch's own pin" "$vpc1" 192.168.1.2

step "a source rule duplicated"
rule=$(in_vpc "$vpc1" ip -j rule show | jq -r '[.[] | select(.priority >= 2000 and .priority < 32766)][0] | "from \(.src)/\(.srclen) lookup \(.table) priority \(.priority)"')
in_vpc "$vpc1" ip rule add $rule 2>/dev/null || in_vpc "$vpc1" ip rule add $rule protocol static  # iproute2 refuses an exact copy
drift_found "2 copies"
repaired "2 copies"
[ "$(in_vpc "$vpc1" ip -j rule show | jq '[.[] | select(.priority >= 2000 and .priority < 32766)] | length')" = 1 ] &&
  pass "one copy left" || fail "rules: $(in_vpc "$vpc1" ip rule show)"

step "the agent checks every drift interval, repairs drift, logs each difference"
"$XPEER" agent --interval 300ms --drift-interval 300ms --metrics-port 0 2>"$E2E_TMP/agent.log" &
AGENT=$!
E2E_PIDS+=("$AGENT")
key=$(bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq -r '[.[] | select(.formatted.value.kind == 2)][0].key | join(" ")')
bpftool map delete pinned "$XPEER_BPFFS/xp_routes_v4" key hex ${key//0x/}
ip netns del "$XPEER_NETNS_PREFIX-$vpc2"
for _ in $(seq 50); do "$XPEER" check >/dev/null 2>&1 && break; sleep 0.2; done
expect_ok "check is clean within seconds, with no command run" "$XPEER" check
grep -q "^warning: drift: xp_routes_v4 vpc [0-9]* 192.168.0.0/16: missing" "$E2E_TMP/agent.log" && pass "the agent logged the missing route" ||
  fail "agent log: $(cat "$E2E_TMP/agent.log")"
grep -q "^warning: drift: netns $XPEER_NETNS_PREFIX-$vpc2: missing" "$E2E_TMP/agent.log" && pass "and the missing namespace" || fail "agent log: $(cat "$E2E_TMP/agent.log")"
grep -q "^warning: drift: repaired [0-9]* difference(s)$" "$E2E_TMP/agent.log" && pass "and that it repaired them" || fail "agent log: $(cat "$E2E_TMP/agent.log")"
reachable "vpc1 -> vpc2 after the agent's repair" "$vpc1" 192.168.1.2
kill "$AGENT"
wait "$AGENT" 2>/dev/null || true

finish
