#!/usr/bin/env bash
# Hitless upgrade: `xpeer --operator upgrade` loads this build's programs over the pinned maps and
# swaps them in on every vSwitch link in one step each. A UDP stream crossing the peering loses
# no packet over five upgrades; the counters and routes stay; the programs are new on every
# link. Pins of an older build's layouts (simulated with bpftool map create under a UDP stream)
# are carried over to new maps filled from the store before the swap, stale pins go, and the
# stream loses nothing; link counters that cannot be carried over are refused by name and nothing
# changes; upgrades killed at any point are reported by check and finished by reconcile; an agent
# running through an upgrade follows the new maps; a tenant may not upgrade.
#
#   vpc1 172.16.0.0/12 (172.16.1.2) --pcc-- vpc2 192.168.0.0/16 (192.168.1.2)
source "$(dirname "$0")/lib.sh"
UDP_COUNT="$(dirname "$0")/../../tools/bench.d/udp_count.py"

step "topology"
peered_pair
reachable "vpc1 -> vpc2" "$vpc1" 192.168.1.2
# router_id: the pinned router of this mode; attached_id IFNAME: the router the datapath end runs
# (XDP: what the interface reports; tc: what its pinned tcx link runs, bpftool 7.1 shows no tcx).
if [ "${XPEER_XDP_MODE:-tc}" = tc ]; then router_pin=xp_router_tc; else router_pin=xp_router; fi
router_id() { bpftool -j prog show pinned "$XPEER_BPFFS/$router_pin" | jq .id; }
attached_id() {
  if [ "$router_pin" = xp_router_tc ]; then
    link_of "$1" .prog_id
  else
    ip -n "$XPEER_DATAPATH_NETNS" -j link show "$1" | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // 0'
  fi
}
dpif="xp${vsw1#vsw-}"
dpif=${dpif:0:15}

link_of() { bpftool -j link show pinned "$XPEER_BPFFS/links/$1" | jq -r "$2"; }
expect_refused "a tenant may not upgrade the data plane" Forbidden.Operator upgrade

# stream_start / stream_stop: the numbered UDP stream of udp_count.py, vpc1 -> vpc2, 2,000 packets/s.
stream_start() {
  port=$((20000 + RANDOM % 20000))
  "$XPEER" exec "$vpc2" -- python3 "$UDP_COUNT" recv 192.168.1.2 "$port" >"$E2E_TMP/recv.json" &
  recv=$!
  E2E_PIDS+=("$recv")
  sleep 0.5
  "$XPEER" exec "$vpc1" -- python3 "$UDP_COUNT" send 192.168.1.2 "$port" 2000 >"$E2E_TMP/send.json" &
  send=$!
  E2E_PIDS+=("$send")
  sleep 1
}
stream_stop() {
  sleep 1
  kill -TERM "$send"; wait "$send" || true
  sleep 0.5
  kill -TERM "$recv"; wait "$recv" || true
  sent=$(jq .sent "$E2E_TMP/send.json") received=$(jq .received "$E2E_TMP/recv.json")
}

step "five upgrades under a UDP stream"
before_id=$(router_id)
before_link=$(link_of "$dpif" .id)
before_packets=$(counter "$pcc" 0 Packets)
stream_start
for i in 1 2 3 4 5; do
  out=$(xp --operator upgrade) && pass "upgrade $i: $out" || fail "upgrade $i: $out"
  sleep 0.3
done
stream_stop
[ "$sent" -gt 1000 ] && [ "$received" = "$sent" ] && pass "no packet lost: $received of $sent received" ||
  fail "sent $sent, received $received (gaps: $(jq -c .gaps "$E2E_TMP/recv.json"))"
after_id=$(router_id)
[ "$after_id" != "$before_id" ] && pass "the pinned router is a new program ($before_id -> $after_id)" || fail "router id still $after_id"
[ "$(attached_id "$dpif")" = "$after_id" ] && pass "and it runs on the vSwitch link" || fail "$dpif runs program $(attached_id "$dpif")"
[ "$(link_of "$dpif" .id)" = "$before_link" ] && [ "$(link_of "$dpif" .prog_id)" = "$after_id" ] &&
  pass "through the same pinned BPF link ($before_link), updated in place" || fail "link: $(bpftool -j link show pinned "$XPEER_BPFFS/links/$dpif")"
[ "$(counter "$pcc" 0 Packets)" -ge $((before_packets + received)) ] && pass "the link's counters were kept ($(counter "$pcc" 0 Packets))" ||
  fail "counters: $before_packets before, $(counter "$pcc" 0 Packets) after $received packets"
expect_ok "check is clean" "$XPEER" check
reachable "vpc1 -> vpc2 on the new programs" "$vpc1" 192.168.1.2

map_show() { bpftool -j map show pinned "$XPEER_BPFFS/$1" | jq -r "$2"; }
cpus=$(($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1))
# an_older_build: the pins of a build before this one (bpftool makes maps without BTF): xp_control
# of 16 bytes, xp_verdicts of 320 (the route cache's counters), xp_peerings not mappable, and the
# route cache's map, which this build has not. The running programs keep the maps they use.
an_older_build() {
  local b=$XPEER_BPFFS
  rm "$b/xp_control" "$b/xp_verdicts" "$b/xp_peerings"
  bpftool map create "$b/xp_control" type array key 4 value 16 entries 1 name xp_control
  bpftool map create "$b/xp_verdicts" type array key 4 value 320 entries "$cpus" name xp_verdicts flags 1024
  bpftool map create "$b/xp_peerings" type array key 4 value 32 entries 65536 name xp_peerings
  bpftool map create "$b/xp_route_cache_v4" type lru_hash key 8 value 64 entries 1024 name xp_route_cache_v4
}

step "an older build's map layouts, upgraded under a UDP stream"
before_packets=$(counter "$pcc" 0 Packets)
before_id=$(router_id)
stream_start
an_older_build
out=$(xp --operator upgrade) && pass "upgrade across the layouts" || fail "upgrade across the layouts: $out"
printf '%s\n' "$out" | sed 's/^/     /'
stream_stop
[ "$sent" -gt 1000 ] && [ "$received" = "$sent" ] && pass "no packet lost across the layout change: $received of $sent received" ||
  fail "sent $sent, received $received, $((sent - received)) lost (gaps: $(jq -c .gaps "$E2E_TMP/recv.json"))"
for line in "xp_control: created" "xp_verdicts: created" "xp_peerings: created" "xp_routes_v4: kept" \
  "xp_link_stats: kept" "xp_route_cache_v4: removed stale"; do
  grep -q "^  $line" <<<"$out" && pass "upgrade says $line" || fail "no line '$line' in: $out"
done
grep -q "^  xp_verdicts: created.*start from zero" <<<"$out" && pass "and that the verdicts' counters start from zero" ||
  fail "xp_verdicts' counters not said to start from zero: $out"
[ "$(router_id)" != "$before_id" ] && [ "$(attached_id "$dpif")" = "$(router_id)" ] &&
  pass "the pinned router is new ($(router_id)) and runs on the link" || fail "router $(router_id), link runs $(attached_id "$dpif")"
expect_ok "check is clean after the layout change" "$XPEER" check
[ ! -e "$XPEER_BPFFS/xp_route_cache_v4" ] && pass "the stale pin is gone" || fail "xp_route_cache_v4 is still pinned"
[ ! -e "$XPEER_BPFFS/upgrading" ] && pass "the staging folder is gone" || fail "$XPEER_BPFFS/upgrading is left"
[ "$(map_show xp_control .bytes_value)" = 8 ] && pass "xp_control has this build's value size (8)" ||
  fail "xp_control: $(bpftool map show pinned "$XPEER_BPFFS/xp_control")"
[ "$(map_show xp_verdicts .bytes_value)" = 384 ] && pass "xp_verdicts has this build's value size (384)" ||
  fail "xp_verdicts: $(bpftool map show pinned "$XPEER_BPFFS/xp_verdicts")"
[ "$(map_show xp_peerings .flags)" = 1024 ] && pass "xp_peerings is mappable again (flags 1024)" ||
  fail "xp_peerings: $(bpftool map show pinned "$XPEER_BPFFS/xp_peerings")"
[ "$(map_show xp_control .btf_id)" != null ] && pass "the new maps carry BTF (a later upgrade matches fields by name)" ||
  fail "xp_control has no BTF"
after_packets=$(counter "$pcc" 0 Packets)
[ "$after_packets" -ge $((before_packets + received)) ] && pass "the link's counters were kept ($before_packets + $received <= $after_packets)" ||
  fail "counters: $before_packets before, $after_packets after $received packets"
reachable "vpc1 -> vpc2 on the new maps" "$vpc1" 192.168.1.2
xp route delete "$(xp --json route list --vpc "$vpc2" | jq -r '.[] | select(.DestinationCidrBlock == "172.16.0.0/12") | .RouteEntryId')" >/dev/null
unreachable "a route deleted after the upgrade takes effect in the new maps" "$vpc2" 172.16.1.2
xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
reachable "and one added again" "$vpc2" 172.16.1.2

step "link counters of another layout are refused by name, and nothing changes"
b=$XPEER_BPFFS
mv "$b/xp_link_stats" "$b/xp_link_stats_saved" # a rename within bpffs (bpffs refuses names with a dot)
if [ -e "$b/xp_link_stats_saved" ]; then
  bpftool map create "$b/xp_link_stats" type array key 4 value 72 entries $((131072 * cpus)) name xp_link_stats flags 1024
  pins_before=$(ls -R "$b")
  id_before=$(router_id)
  expect_refused "link counters of another value size" Datapath.MapLayout --operator upgrade
  [ "$(ls -R "$b")" = "$pins_before" ] && pass "no pin changed" || fail "pins changed: $(diff <(echo "$pins_before") <(ls -R "$b"))"
  [ "$(router_id)" = "$id_before" ] && pass "the pinned router is the same program" || fail "router id changed to $(router_id)"
  rm "$b/xp_link_stats"
  mv "$b/xp_link_stats_saved" "$b/xp_link_stats"
else
  fail "could not move the xp_link_stats pin aside"
fi
expect_ok "check is clean with the map back" "$XPEER" check

step "upgrades killed at any point: check reports, reconcile finishes"
# repair_after_kill WHEN: what check says of the killed upgrade, and the repair.
repair_after_kill() {
  local when=$1 status=0
  "$XPEER" check >"$E2E_TMP/check.txt" 2>&1 || status=$?
  if [ -e "$b/upgrading" ]; then
    grep -q "upgrade in .*interrupted" "$E2E_TMP/check.txt" && pass "killed $when: check reports the upgrade interrupted" ||
      fail "killed $when: check says $(cat "$E2E_TMP/check.txt")"
    [ -e "$b/upgrading/swapping" ] && adopted=$((adopted + 1)) # everything was staged: links may run the new programs
    out=$(xp reconcile 2>&1) && pass "reconcile finishes it" || fail "reconcile after a kill $when: $out"
    repaired=$((repaired + 1))
  elif [ -e "$b/xp_route_cache_v4" ]; then # killed before it began: the pins are the older build's, unchanged
    grep -q "Datapath.MapLayout" "$E2E_TMP/check.txt" && pass "killed $when, before it began: check names a map of another layout" ||
      fail "killed $when: check says $(cat "$E2E_TMP/check.txt")"
    out=$(xp --operator upgrade 2>&1) || fail "upgrade after a kill $when: $out"
  elif [ "$status" -ne 0 ]; then
    out=$(xp reconcile 2>&1) && pass "killed $when, after the staging folder went: reconcile repairs $out" ||
      fail "reconcile after a kill $when: $out"
    repaired=$((repaired + 1))
  fi
  expect_ok "killed $when: check is clean after the repair" "$XPEER" check
}
before_packets=$(counter "$pcc" 0 Packets)
stream_start
repaired=0 adopted=0 kills=0
for delay in 20 35 50 65 80 95 110 125; do # mostly while it loads and fills
  an_older_build
  "$XPEER" --operator upgrade >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' "$delay")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kills=$((kills + 1))
  repair_after_kill "at $delay ms"
done
for wait_ms in 0 1 2 4 8; do # once everything is staged: while it swaps, carries the counters, moves the pins
  an_older_build
  "$XPEER" --operator upgrade >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 3000); do [ -e "$b/upgrading/swapping" ] && break; sleep 0.001; done
  sleep "$(printf '0.%03d' "$wait_ms")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kills=$((kills + 1))
  repair_after_kill "$wait_ms ms after it staged everything"
done
stream_stop
pass "$repaired of $kills kills left something that check reported and reconcile repaired ($adopted after everything was staged)"
[ "$sent" -gt 1000 ] && [ "$received" = "$sent" ] && pass "no packet lost across the killed upgrades: $received of $sent received" ||
  fail "sent $sent, received $received, $((sent - received)) lost across the killed upgrades (gaps: $(jq -c .gaps "$E2E_TMP/recv.json"))"
after_packets=$(counter "$pcc" 0 Packets)
[ "$after_packets" -ge $((before_packets + received)) ] && pass "and the link's counters kept them ($before_packets + $received <= $after_packets)" ||
  fail "counters across the killed upgrades: $before_packets before, $after_packets after $received packets"
reachable "vpc1 -> vpc2 after the killed upgrades" "$vpc1" 192.168.1.2

step "this build's agent, running through an upgrade of the layouts, follows the new maps"
"$XPEER" agent --interval 200ms --drift-interval 200ms --metrics-port 0 2>"$E2E_TMP/agent.log" &
agent=$!
E2E_PIDS+=("$agent")
sleep 1
an_older_build
out=$(xp --operator upgrade) && pass "upgrade with the agent running" || fail "upgrade with the agent running: $out"
sleep 1
# The first connection's slot is 0; zeroed in the new xp_peerings, only an agent that reads the
# new maps sees the drift (one that kept the old ones would leave the connection down).
bpftool map update pinned "$b/xp_peerings" key 0 0 0 0 value $(printf '0 %.0s' $(seq 32))
sleep 1.5
grep -q "^warning: drift: xp_peerings slot 0" "$E2E_TMP/agent.log" && pass "the agent found the new xp_peerings changed and repaired it" ||
  fail "agent log: $(cat "$E2E_TMP/agent.log")"
reachable "vpc1 -> vpc2 after the agent's repair" "$vpc1" 192.168.1.2
kill -TERM "$agent"
wait "$agent" && pass "the agent stopped cleanly" || fail "the agent exited with $?: $(cat "$E2E_TMP/agent.log")"
grep -q "^error" "$E2E_TMP/agent.log" && fail "errors in the agent's log: $(grep "^error" "$E2E_TMP/agent.log")" || pass "no error in the agent's log"

finish
