# Sourced by tools/bench: `tools/bench zeroloss`, packets lost by established traffic while the
# control plane works. A numbered UDP stream (udp_count.py) runs from vpc1 to vpc2 through the
# XDP router, in four phases:
#   baseline  nothing changes
#   routes    N routes unrelated to the stream are added, then deleted, one command each: in
#             vpc1's table (the stream's own), through the stream's peering, to 10.200.0.0/16
#             /32s, which the stream's destination (192.168.0.0/16) does not overlap
#   agent     the agent is started and stopped K times, alternately with SIGTERM and SIGKILL
#   upgrade   the programs are upgraded U times (xpeer upgrade: this build's programs loaded over
#             the pinned maps and swapped in on every link in one step)
# Lost = sent - received. Where losses happened: the XDP router's drop counters, and the
# receiving socket's own drops (UDP RcvbufErrors in vpc2).
#
#   vpc1 172.16.0.0/12 (172.16.1.2) --pcc, unlimited-- vpc2 192.168.0.0/16 (192.168.1.2)

zeroloss_usage() {
  cat >&2 <<'EOF'
tools/bench zeroloss [--pps N] [--baseline SECONDS] [--routes N] [--restarts N] [--upgrades U]
  defaults: 5000 packets per second, a 10 s baseline, 1000 routes, 10 agent restarts, 10 upgrades
EOF
}

# router_drops: every drop reason of the XDP router, summed over reasons and CPUs.
router_drops() { "$XPEER" --operator --json stats | jq '[.Reasons[] | select(.Reason | startswith("drop_")) | .Packets] | add'; }

# stream_start / stream_stop PHASE WHAT: the stream of one phase, and a row in $LOSS_ROWS.
stream_start() {
  local port=$((20000 + RANDOM % 20000))
  STREAM_DROPS=$(router_drops)
  "$XPEER" exec "$ZL_VPC2" -- python3 "$UDP_COUNT" recv 192.168.1.2 "$port" >"$E2E_TMP/recv.json" &
  STREAM_RECV=$!
  E2E_PIDS+=("$STREAM_RECV")
  sleep 0.5
  "$XPEER" exec "$ZL_VPC1" -- python3 "$UDP_COUNT" send 192.168.1.2 "$port" "$ZL_PPS" >"$E2E_TMP/send.json" &
  STREAM_SEND=$!
  E2E_PIDS+=("$STREAM_SEND")
  STREAM_T0=${EPOCHREALTIME//[.,]/}
  sleep 1  # the stream is established before anything changes
}
stream_stop() {
  local phase=$1 what=$2 seconds
  sleep 1
  kill -TERM "$STREAM_SEND"
  wait "$STREAM_SEND"
  seconds=$(awk -v a="$STREAM_T0" -v b="${EPOCHREALTIME//[.,]/}" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
  sleep 0.5  # the last packets land
  kill -TERM "$STREAM_RECV"
  wait "$STREAM_RECV"
  jq -rn --arg phase "$phase" --arg what "$what" --arg s "$seconds" --argjson drops $(($(router_drops) - STREAM_DROPS)) \
    --slurpfile tx "$E2E_TMP/send.json" --slurpfile rx "$E2E_TMP/recv.json" \
    '[$phase, $s, $tx[0].sent, $rx[0].received, $tx[0].sent - $rx[0].received, $drops, $rx[0].socket_drops,
      $what, ($rx[0].gaps | map("\(.[2]) at \(.[0]) s") | join(", ") | if . == "" then "none" else . end)] | @tsv' >>"$LOSS_ROWS"
}

zeroloss_topology() {
  local vsw1 vsw2
  ZL_VPC1=$(xp vpc create --cidr 172.16.0.0/12)
  ZL_VPC2=$(xp vpc create --cidr 192.168.0.0/16)
  vsw1=$(xp vswitch create --vpc "$ZL_VPC1" --cidr 172.16.1.0/24)
  vsw2=$(xp vswitch create --vpc "$ZL_VPC2" --cidr 192.168.1.0/24)
  xp instance create --vswitch "$vsw1" --ip 172.16.1.2 >/dev/null
  xp instance create --vswitch "$vsw2" --ip 192.168.1.2 >/dev/null
  ZL_PCC=$(xp peering create --vpc "$ZL_VPC1" --peer-vpc "$ZL_VPC2")
  xp route add --vpc "$ZL_VPC1" --destination 192.168.0.0/16 --next-hop "$ZL_PCC" >/dev/null
  xp route add --vpc "$ZL_VPC2" --destination 172.16.0.0/12 --next-hop "$ZL_PCC" >/dev/null
}

# change_routes N: N route adds, then their N deletes, one command each; prints the seconds.
change_routes() {
  local n=$1 i t0 ids=()
  t0=${EPOCHREALTIME//[.,]/}
  for ((i = 0; i < n; i++)); do
    ids+=("$(xp route add --vpc "$ZL_VPC1" --destination "10.200.$((i / 256)).$((i % 256))/32" --next-hop "$ZL_PCC")")
  done
  for i in "${ids[@]}"; do xp route delete "$i" >/dev/null; done
  awk -v a="$t0" -v b="${EPOCHREALTIME//[.,]/}" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
}

# restart_agent K: K times, start the agent, let it sample, stop it; odd times SIGTERM, even
# times SIGKILL.
restart_agent() {
  local k=$1 i pid signal
  for ((i = 1; i <= k; i++)); do
    "$XPEER" agent --interval 200ms --metrics-port 0 >>"$E2E_TMP/agent.log" 2>&1 &
    pid=$!
    E2E_PIDS+=("$pid")
    sleep 1
    signal=TERM
    [ $((i % 2)) = 0 ] && signal=KILL
    kill -"$signal" "$pid"
    { wait "$pid" || true; } 2>/dev/null  # no "Killed" from bash
  done
}

# upgrade_programs K: K times, this build's programs in place of the running ones (xpeer upgrade).
upgrade_programs() {
  local k=$1 i
  for ((i = 1; i <= k; i++)); do
    xp --operator upgrade >/dev/null
    sleep 0.3
  done
}

bench_zeroloss() {
  local baseline=10 routes=1000 restarts=10 upgrades=10 took
  ZL_PPS=5000
  while [ $# -gt 0 ]; do
    case $1 in
      --pps) ZL_PPS=$2; shift 2 ;;
      --baseline) baseline=$2; shift 2 ;;
      --routes) routes=$2; shift 2 ;;
      --restarts) restarts=$2; shift 2 ;;
      --upgrades) upgrades=$2; shift 2 ;;
      *) zeroloss_usage; return 2 ;;
    esac
  done
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  trap 'exit 130' INT TERM  # the EXIT trap cleans up
  UDP_COUNT="$XPEER_ROOT/tools/bench.d/udp_count.py" LOSS_ROWS="$E2E_TMP/loss"
  : >"$LOSS_ROWS"
  zeroloss_topology

  stream_start
  sleep "$baseline"
  stream_stop baseline "nothing changes for $baseline s"

  stream_start
  took=$(change_routes "$routes")
  stream_stop routes "$routes route adds, then $routes route deletes: $took s"

  stream_start
  restart_agent "$restarts"
  stream_stop agent "$restarts agent starts and stops (SIGTERM, SIGKILL alternately), 1 s each"

  stream_start
  upgrade_programs "$upgrades"
  stream_stop upgrade "$upgrades upgrades of the programs (xpeer upgrade: pinned maps kept, each link's program swapped in one step)"

  printf '\nzero loss: a UDP stream of %s packets/s from vpc1 to vpc2 through the router (--xdp-mode %s);\n' "$ZL_PPS" "${XPEER_XDP_MODE:-tc}"
  printf 'each phase starts 1 s after the stream and ends 1 s before it stops; lost = sent - received\n'
  printf '%-10s %-9s %-9s %-9s %-6s %-10s %-13s\n' "PHASE" "STREAM s" "SENT" "RECEIVED" "LOST" "XDP DROPS" "SOCKET DROPS"
  awk -F'\t' '{ printf "%-10s %-9s %-9s %-9s %-6s %-10s %-13s\n", $1, $2, $3, $4, $5, $6, $7 }' "$LOSS_ROWS"
  awk -F'\t' '{ printf "%-10s %s; packets missing (count at s into the stream): %s\n", $1 ":", $8, $9 }' "$LOSS_ROWS"
}
