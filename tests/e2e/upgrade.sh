#!/usr/bin/env bash
# Hitless upgrade: `xpeer --operator upgrade` loads this build's programs over the pinned maps and
# swaps them in on every vSwitch link in one step each. A UDP stream crossing the peering loses
# no packet over five upgrades; the counters and routes stay; the programs are new on every
# link; a pinned map of another layout is refused by name and nothing changes; a tenant may not.
#
#   vpc1 172.16.0.0/12 (172.16.1.2) --pcc-- vpc2 192.168.0.0/16 (192.168.1.2)
source "$(dirname "$0")/lib.sh"
UDP_COUNT="$(dirname "$0")/../../tools/bench.d/udp_count.py"

step "topology"
peered_pair
reachable "vpc1 -> vpc2" "$vpc1" 192.168.1.2
router_id() { bpftool -j prog show pinned "$XPEER_BPFFS/xp_router" | jq .id; }
attached_id() { ip -n "$XPEER_DATAPATH_NETNS" -j link show "$1" | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // 0'; }
dpif="xp${vsw1#vsw-}"
dpif=${dpif:0:15}

link_of() { bpftool -j link show pinned "$XPEER_BPFFS/links/$1" | jq -r "$2"; }
expect_refused "a tenant may not upgrade the data plane" Forbidden.Operator upgrade

step "five upgrades under a UDP stream"
before_id=$(router_id)
before_link=$(link_of "$dpif" .id)
before_packets=$(counter "$pcc" 0 Packets)
port=$((20000 + RANDOM % 20000))
"$XPEER" exec "$vpc2" -- python3 "$UDP_COUNT" recv 192.168.1.2 "$port" >"$E2E_TMP/recv.json" &
recv=$!
E2E_PIDS+=("$recv")
sleep 0.5
"$XPEER" exec "$vpc1" -- python3 "$UDP_COUNT" send 192.168.1.2 "$port" 2000 >"$E2E_TMP/send.json" &
send=$!
E2E_PIDS+=("$send")
sleep 1
for i in 1 2 3 4 5; do
  out=$(xp --operator upgrade) && pass "upgrade $i: $out" || fail "upgrade $i: $out"
  sleep 0.3
done
sleep 1
kill -TERM "$send"; wait "$send" || true
sleep 0.5
kill -TERM "$recv"; wait "$recv" || true
sent=$(jq .sent "$E2E_TMP/send.json") received=$(jq .received "$E2E_TMP/recv.json")
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

step "a pinned map of another layout is refused by name, and nothing changes"
saved="$XPEER_BPFFS/xp_control_saved"  # bpffs refuses names with a dot
mv "$XPEER_BPFFS/xp_control" "$saved"  # a rename within bpffs
if [ -e "$saved" ]; then
  bpftool map create "$XPEER_BPFFS/xp_control" type array key 4 value 16 entries 1 name xp_control
  expect_refused "a map with another value size" Datapath.MapLayout --operator upgrade
  [ "$(router_id)" = "$after_id" ] && pass "the pinned router is the same program" || fail "router id changed to $(router_id)"
  [ "$(attached_id "$dpif")" = "$after_id" ] && pass "and still runs on the link" || fail "$dpif runs $(attached_id "$dpif")"
  rm "$XPEER_BPFFS/xp_control"
  mv "$saved" "$XPEER_BPFFS/xp_control"
else
  fail "could not move the xp_control pin aside"
fi
expect_ok "check is clean with the map back" "$XPEER" check

finish
