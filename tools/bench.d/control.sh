# Sourced by tools/bench: `tools/bench control`, the control plane at scale.
#   1. routes: one `route import` of N /32 routes (one VPC, one peering to a VPC with a vSwitch
#      that the changed routes lead into), then the same table
#      rebuilt from the store into fresh maps (teardown + reconcile); the time from the start of
#      a `route add` / `route delete` to the route being visible in the pinned maps, with the N
#      routes installed (xpeer-route-watch polls the trie and the VPC's compiled lookup root).
#   2. scale, in a fresh store: V VPCs, P peerings (VPC i with i+1 .. i+P/V), created, listed and
#      deleted one CLI command at a time; the agent's peak RSS while P peerings exist.

control_usage() {
  cat >&2 <<'EOF'
tools/bench control [--vpcs N] [--peerings N] [--routes N] [--changes N] [--million] [--scale small]
  defaults: 1000 VPCs, 10000 peerings, 100000 routes, 20 route changes each way
  --million      also time a route import of 1,000,000 routes (into a VPC of its own)
  --scale small  10 VPCs, 20 peerings, 1000 routes, 3 changes (a smoke run, seconds)
EOF
}

# host_routes_v4 FIRST LAST: /32 destinations number FIRST..LAST (10.0.0.0 + i), one a line.
host_routes_v4() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++) printf "10.%d.%d.%d/32\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'; }

elapsed_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e6 }'; }  # µs stamps
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }

vpc_key() { sqlite3 "$XPEER_STATE" "SELECT key FROM vpcs WHERE id = '$1'"; }

# watch_change add|delete VPC_KEY DESTINATION COMMAND...: one xpeer-route-watch row in $WATCH_ROWS;
# the command's output in $E2E_TMP/watch.out.
watch_change() {
  local what=$1 key=$2 dst=$3 until=present
  shift 3
  [ "$what" = add ] || until=absent
  "$XPEER_BUILD/xpeer-route-watch" --bpffs "$XPEER_BPFFS" --vpc-key "$key" --destination "$dst" --until "$until" -- "$@" \
    2>"$E2E_TMP/watch.out" | jq -r --arg w "$what" '[$w, .trie_ms, .visible_ms, .command_ms] | @tsv' >>"$WATCH_ROWS"
}

control_routes() {
  local n=$1 changes=$2 million=$3 vpc1 vpc2 pcc key t0 t1 i dst id
  vpc1=$(xp vpc create --cidr 172.16.0.0/12)
  vpc2=$(xp vpc create --cidr 10.0.0.0/8)
  # The changed routes lead to hosts of this vSwitch, as a peer VPC's routes do.
  xp vswitch create --vpc "$vpc2" --cidr 10.254.0.0/16 >/dev/null
  pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
  host_routes_v4 1 "$n" >"$E2E_TMP/routes"
  t0=$(now_us)
  xp route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP/routes" >/dev/null
  t1=$(now_us)
  printf 'route import, %s routes, one command\t%s\n' "$n" "$(elapsed_s "$t0" "$t1")" >>"$SINGLE_ROWS"

  xp teardown >/dev/null
  t0=$(now_us)
  xp reconcile >/dev/null
  t1=$(now_us)
  printf 'reconcile into fresh maps, %s routes\t%s\n' "$n" "$(elapsed_s "$t0" "$t1")" >>"$SINGLE_ROWS"

  key=$(vpc_key "$vpc1")
  for ((i = 1; i <= changes; i++)); do
    dst="10.254.$((i / 256)).$((i % 256))/32"
    watch_change add "$key" "$dst" "$XPEER" route add --vpc "$vpc1" --destination "$dst" --next-hop "$pcc"
    id=$(grep -o 'rte-[a-z0-9]*' "$E2E_TMP/watch.out")
    watch_change delete "$key" "$dst" "$XPEER" route delete "$id"
  done

  if [ "$million" = 1 ]; then
    local vpc3 pcc3
    vpc3=$(xp vpc create --cidr 192.168.0.0/16)
    pcc3=$(xp peering create --vpc "$vpc3" --peer-vpc "$vpc2")
    host_routes_v4 1 1000000 >"$E2E_TMP/routes"
    t0=$(now_us)
    xp route import --vpc "$vpc3" --next-hop "$pcc3" --file "$E2E_TMP/routes" >/dev/null
    t1=$(now_us)
    printf 'route import, 1000000 routes (%s already in another VPC)\t%s\n' "$n" "$(elapsed_s "$t0" "$t1")" >>"$SINGLE_ROWS"
  fi
}

# agent_peak_rss SECONDS: runs the agent (1 s interval, metrics served) for SECONDS, fetches
# /metrics once, then reads its VmHWM; rows in $AGENT_ROWS.
agent_peak_rss() {
  local seconds=$1 port=$((20000 + RANDOM % 20000)) pid hwm cpu0 cpu1 bytes ticks
  "$XPEER" agent --interval 1s --metrics-port "$port" >"$E2E_TMP/agent.log" 2>&1 &
  pid=$!
  E2E_PIDS+=("$pid")
  cpu0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  sleep "$seconds"
  bytes=$(curl -sf "http://127.0.0.1:$port/metrics" | wc -c)
  hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
  cpu1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  kill -TERM "$pid"
  wait "$pid" || true
  ticks=$(getconf CLK_TCK)
  {
    printf 'peak RSS (VmHWM), MiB\t%.1f\n' "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')"
    printf 'CPU seconds used (1 s sampling interval)\t%.2f\n' "$(awk -v a="$cpu0" -v b="$cpu1" -v t="$ticks" 'BEGIN { print (b - a) / t }')"
    printf '/metrics, KiB\t%.0f\n' "$(awk -v b="$bytes" 'BEGIN { print b / 1024 }')"
  } >>"$AGENT_ROWS"
}

# progress DONE TOTAL WHAT: a line on stderr every 1000 operations, for long runs.
progress() {
  [ $(($1 % 1000)) = 0 ] || [ "$1" = "$2" ] || return 0
  printf 'bench control: %s/%s %s, %s s\n' "$1" "$2" "$3" "$(elapsed_s "$BENCH_START" "$(now_us)")" >&2
}

control_scale() {
  local nv=$1 np=$2 per i off made=0
  local -a vpcs=() pccs=()
  per=$(((np + nv - 1) / nv))
  xp --operator quota set vpc_quota_intra_region_peer_num_per_vpc $((2 * per)) --for-account "$XPEER_ACCOUNT" >/dev/null
  xp --operator quota set vpc_quota_peer_num "$np" --for-account "$XPEER_ACCOUNT" >/dev/null
  for ((i = 0; i < nv; i++)); do
    timed "vpc create" xp vpc create --cidr "10.$((i / 256)).$((i % 256)).0/24"
    read -r "vpcs[i]" <"$OP_OUT"
    progress $((i + 1)) "$nv" "VPCs created"
  done
  for i in 1 2 3; do timed "vpc list ($nv)" xp vpc list; done
  for ((off = 1; off <= per; off++)); do
    for ((i = 0; i < nv && made < np; i++)); do
      timed "peering create" xp peering create --vpc "${vpcs[i]}" --peer-vpc "${vpcs[(i + off) % nv]}"
      read -r "pccs[made]" <"$OP_OUT"
      made=$((made + 1))
      progress "$made" "$np" "peerings created"
    done
  done
  for i in 1 2 3; do timed "peering list ($np)" xp peering list; done
  agent_peak_rss 5
  for ((i = 0; i < made; i++)); do
    timed "peering delete" xp peering delete "${pccs[i]}"
    progress $((i + 1)) "$made" "peerings deleted"
  done
  for ((i = 0; i < nv; i++)); do
    timed "vpc delete" xp vpc delete "${vpcs[i]}"
    progress $((i + 1)) "$nv" "VPCs deleted"
  done
}

bench_control() {
  local vpcs=1000 peerings=10000 routes=100000 changes=20 million=0
  while [ $# -gt 0 ]; do
    case $1 in
      --vpcs) vpcs=$2; shift 2 ;;
      --peerings) peerings=$2; shift 2 ;;
      --routes) routes=$2; shift 2 ;;
      --changes) changes=$2; shift 2 ;;
      --million) million=1; shift ;;
      --scale)
        [ "${2:-}" = small ] || { control_usage; return 2; }
        vpcs=10 peerings=20 routes=1000 changes=3
        shift 2 ;;
      *) control_usage; return 2 ;;
    esac
  done
  if [ $((2 * ((peerings + vpcs - 1) / vpcs))) -ge "$vpcs" ]; then
    echo "bench control: $peerings peerings among $vpcs VPCs: each VPC would need more than half the others" >&2
    return 2
  fi
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  trap 'exit 130' INT TERM  # the EXIT trap cleans up
  OP_TIMES="$E2E_TMP/op_times" OP_OUT="$E2E_TMP/op_out" SINGLE_ROWS="$E2E_TMP/single" WATCH_ROWS="$E2E_TMP/watch" AGENT_ROWS="$E2E_TMP/agent"
  : >"$OP_TIMES" >"$SINGLE_ROWS" >"$WATCH_ROWS" >"$AGENT_ROWS"
  BENCH_START=$(now_us)

  control_routes "$routes" "$changes" "$million"
  echo "bench control: routes done, $(elapsed_s "$BENCH_START" "$(now_us)") s" >&2
  xp teardown >/dev/null
  rm -rf "$XPEER_BPFFS" "$XPEER_STATE" "$XPEER_STATE"-*  # the scale part starts from nothing
  control_scale "$vpcs" "$peerings"

  printf '\ncontrol plane: one run, %s s in all; a CLI command a process, wall time from its start to its exit\n' \
    "$(elapsed_s "$BENCH_START" "$(now_us)")"
  awk -F'\t' '{ printf "%-62s %8s s\n", $1, $2 }' "$SINGLE_ROWS"
  printf '\none route change with %s routes installed, %s changes each way, ms from the command'"'"'s start: median (min-max)\n' "$routes" "$changes"
  printf '%-8s %-24s %-34s %-24s\n' "CHANGE" "in the trie" "visible (trie + compiled root)" "command exits"
  local what col
  for what in add delete; do
    printf '%-8s' "$what"
    for col in 2 3 4; do
      awk -F'\t' -v w="$what" -v c="$col" '$1 == w { print $c }' "$WATCH_ROWS" | spread | awk '{ printf " %-24s", $0 }'
      [ "$col" = 3 ] && printf '%10s' ''
    done
    echo
  done
  printf '\n%s VPCs and %s peerings (VPC i peers with i+1 .. i+%s), one CLI command per operation\n' "$vpcs" "$peerings" \
    "$(((peerings + vpcs - 1) / vpcs))"
  op_header
  for what in "vpc create" "vpc list ($vpcs)" "peering create" "peering list ($peerings)" "peering delete" "vpc delete"; do op_row "$what"; done
  printf '\nthe agent with %s peerings (%s link directions), 5 s\n' "$peerings" $((2 * peerings))
  awk -F'\t' '{ printf "%-44s %s\n", $1, $2 }' "$AGENT_ROWS"
}
