# Sourced by tools/bench: `tools/bench qos [TRIALS]`, link types under congestion. A on h1 pings D
# (Platinum) and B (Gold) on h2 while it sends nothing, Gold UDP at 150 Mbit/s, Gold and Platinum
# UDP at 60 each, or 4 Gold TCP streams, through an underlay port into h2 of 100 Mbit/s with a
# 50 ms queue (tests/e2e/lib_qos.sh): h1's router policing its underlay at 90 Mbit/s, Platinum
# first (--underlay-bandwidth 90), and not policing it (0), taking turns in one run.
# QOS_XDP_MODE: the hook (native).

# qos_underlay MBPS: h1's agent again, with --underlay-bandwidth MBPS, once its router polices at it.
qos_underlay() {
  local tries
  kill "${AGENT_PID[1]}" 2>/dev/null || true
  wait "${AGENT_PID[1]}" 2>/dev/null || true
  AGENT_ARGS[1]="--underlay-bandwidth $1"
  agent_start 1
  for ((tries = 0; tries < 100; tries++)); do
    [ "$(qos_underlay_rate 1 2>/dev/null)" = $(($1 * 125000)) ] && lease_held h1 && return 0
    sleep 0.1
  done
  echo "bench qos: h1's agent did not take --underlay-bandwidth $1" >&2
  return 1
}

# qos_load LOAD TRIAL CONFIG: the floods of LOAD, both classes' probes under them, and a row per
# class into $rows: trial, config, load, class, ping loss, p50, p99, flood Mbit/s, flood loss %.
qos_load() {
  local load=$1 class floods=()
  case $load in
    gold150) qos_flood gold udp 7 qos-gold 150; floods=(gold) ;;
    60+60) qos_flood gold udp 7 qos-gold 60; qos_flood platinum udp 7 qos-platinum 60; floods=(gold platinum) ;;
    goldtcp) qos_flood gold tcp 7 qos-gold; floods=(gold) ;;
  esac
  [ "$load" != idle ] && sleep 1.5
  qos_probe_both qos
  qos_flood_wait
  for class in platinum gold; do
    local got=- lost=-
    if [[ " ${floods[*]} " == *" $class "* ]]; then
      got=$(qos_received "qos-$class")
      [ "$load" = goldtcp ] || lost=$(qos_lost "qos-$class")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$load" "$class" "$(qos_stats "qos-$class" | tr ' ' '\t')" "$got" "$lost" >>"$rows"
  done
}

bench_qos() {
  local trials=${1:-3}
  export XPEER_XDP_MODE=${QOS_XDP_MODE:-native}
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  source "$XPEER_ROOT/tests/e2e/lib_etcd.sh"
  source "$XPEER_ROOT/tests/e2e/lib_hosts.sh"
  source "$XPEER_ROOT/tests/e2e/lib_qos.sh"
  qos_start 90 3 >/dev/null
  local rows="$E2E_TMP/qos.rows" sel="$E2E_TMP/qos.sel" t i config load class loads=(idle gold150 60+60 goldtcp) order=(90 0)
  : >"$rows"
  : >"$rows.cost"
  for t in $(seq "$trials"); do
    for i in 0 1; do
      config=${order[$(((i + t) % 2))]}
      qos_underlay "$config" || return 1
      for load in "${loads[@]}"; do qos_load "$load" "$t" "$config"; done
    done
  done
  printf '\nqos (%s hook): A (h1) pings D over Platinum and B over Gold (h2), %s pings of 1,428 bytes each 20 ms, while\n' \
    "$XPEER_XDP_MODE" "$QOS_PINGS"
  printf 'it sends nothing (idle), Gold UDP at 150 Mbit/s (gold150), Gold and Platinum UDP at 60 each (60+60) or 4 Gold\n'
  printf 'TCP streams (goldtcp); the underlay port into h2 carries %s Mbit/s with a 50 ms queue. h1 polices its underlay\n' "$QOS_FABRIC"
  printf 'at 90 Mbit/s, Platinum first, or not at all, taking turns. %s trials, median (min-max); FLOOD: what the class'"'"'s\n' "$trials"
  printf 'flood delivered, Mbit/s of payload, and the share of its datagrams lost\n'
  printf '%-12s %-8s %-9s %-22s %-22s %-18s %-24s %s\n' "UNDERLAY" "LOAD" "CLASS" "RTT p50 ms" "RTT p99 ms" "PING LOSS %" "FLOOD Mbit/s" "FLOOD LOSS %"
  for config in 90 0; do
    for load in "${loads[@]}"; do
      for class in platinum gold; do
        awk -F'\t' -v c="$config" -v l="$load" -v k="$class" '$2 == c && $3 == l && $4 == k' "$rows" >"$sel"
        printf '%-12s %-8s %-9s %-22s %-22s %-18s %-24s %s\n' "$([ "$config" = 0 ] && echo "not policed" || echo "$config Mbit/s")" \
          "$load" "$class" "$(qos_median 6 "%.2f")" "$(qos_median 7 "%.2f")" "$(qos_median 5 "%.1f")" "$(qos_median 8 "%.1f")" "$(qos_median 9 "%.1f")"
      done
    done
  done
  [ "$XPEER_XDP_MODE" = tc ] && return 0
  qos_cost "$trials"
  printf '\nthe router'"'"'s own ns for a 64-byte frame tunnelled to A'"'"'s vSwitch on h3 (no link type), its underlay policed at\n'
  printf '100 Gbit/s (every frame passes) or not, up to its encapsulation: xpeer-bench --cost, 3 x %s trials each,\n' "$trials"
  printf 'taking turns, median (min-max)\n'
  printf '%-14s %-26s %s\n' "UNDERLAY" "xp_router ns" "counters and policers ns"
  for config in 100000 0; do
    awk -F'\t' -v c="$config" '$1 == c' "$rows.cost" >"$sel"
    printf '%-14s %-26s %s\n' "$([ "$config" = 0 ] && echo "not policed" || echo "policed")" "$(qos_median 2 "%.1f")" "$(qos_median 3 "%.1f")"
  done
}

# qos_median FIELD FORMAT: median (min-max) of a field of $sel's rows, "-" where none has one.
qos_median() {
  local values
  values=$(cut -f"$1" "$sel" | grep -v '^-$' || true)
  [ -n "$values" ] && median_spread "$2" <<<"$values" || echo -
}

# qos_cost TRIALS: the router's own cost of a 64-byte frame from A on h1 to A's vSwitch on h3
# (tunnelled, no connection crossed), h1's underlay policed (at 100 Gbit/s, so that every frame
# passes) and not, taking turns: xpeer-bench's paired trials, the router against its build
# without counters and policers, one CPU (the bucket's lock uncontended). Rows into $rows.cost.
# The harness runs the router again and again on one buffer, whose headroom the outer headers use
# up within a few runs: the figures are the router up to its encapsulation, which then fails.
qos_cost() {
  local t mbps xp_if="xp${vswA#vsw-}" vs_if="vs${vswA#vsw-}" gw mac
  xp_if=${xp_if:0:15}
  gw=$(mac_of "$XPEER_DATAPATH_NETNS" "$xp_if")
  mac=$(mac_of "$XPEER_NETNS_PREFIX-$vpcA" "${vs_if:0:15}")
  for t in $(seq "$1"); do
    for mbps in 100000 0; do
      qos_underlay "$mbps" || return 1
      "$XPEER_BUILD/xpeer-bench" --cost "$XPEER_BPFFS/xp_router" --cost-at "$XPEER_DATAPATH_NETNS/$xp_if" --trials 3 --unaccounted \
        --smac "$mac" --dmac "$gw" --src 172.16.1.2 --dst 172.16.2.2 --frame 64 |
        jq -r --arg m "$mbps" '"\($m)\t\(.ns)\t\(.ns - .unaccounted_ns)"' >>"$rows.cost"
    done
  done
}
