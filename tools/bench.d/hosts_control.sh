# Sourced by tools/bench: `tools/bench hosts-control [ROUNDS] [VPCS] [OUTAGE_S]`, the control plane
# among three hosts (namespaces on one machine, each with its agent) and a three-member etcd:
#   1. a route change's and a peering's time from the command's start until every host it
#      concerned (whose slice key its commit wrote) reports it programmed
#      (tools/bench.d/programmed.py polls the hosts' programmed keys), ROUNDS (50) of each, p50
#      and p99;
#   2. VPCS (1000) VPCs, each with a vSwitch and an instance, placed round-robin on the hosts:
#      the time to create them, until the last one's host programmed it, and each agent's RSS;
#   3. every etcd member stopped for OUTAGE_S (60) seconds, then started: the time until each
#      host holds its lease again, and the hosts a change committed at once concerns programmed it.

HC_PROGRAMMED="$XPEER_ROOT/tools/bench.d/programmed.py"

# hc_time LABEL COMMAND...: one programmed.py row (LABEL, command ms, programmed ms) in $HC_ROWS;
# the command's output in $HC_OUT.
hc_time() {
  local label=$1 line
  shift
  line=$(python3 "$HC_PROGRAMMED" "$(etcd_member_url 0)" h1,h2,h3 -- "$@")
  HC_OUT=$(jq -r .stdout <<<"$line")
  printf '%s\t%s\t%s\n' "$label" "$(jq -r .command_ms <<<"$line")" "$(jq -r '.programmed_ms // "timeout"' <<<"$line")" >>"$HC_ROWS"
}

# hc_percentiles < "LABEL\tVALUE" lines: LABEL, count, p50 and p99 of VALUE, one row a label.
hc_percentiles() {
  sort -t$'\t' -k1,1 -k2,2g | awk -F'\t' '
    function flush() { if (n) printf "%-52s %6d %10.1f %10.1f %10.1f\n", label, n, v[int((n + 1) / 2)], v[int(n * 0.99 + 0.999)], v[n] }
    $1 != label { flush(); label = $1; n = 0 }
    { v[++n] = $2 }
    END { flush() }'
}

bench_hosts_control() {
  local rounds=${1:-50} vpcs=${2:-1000} outage=${3:-60}
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  source "$XPEER_ROOT/tests/e2e/lib_etcd.sh"
  source "$XPEER_ROOT/tests/e2e/lib_hosts.sh"
  etcd_start_cluster 3
  hosts_start 3 >/dev/null
  HC_ROWS="$E2E_TMP/hc.rows"
  : >"$HC_ROWS"
  local vpcA vpcB vpcC vsw pab i dst id t0 t1 h
  vpcA=$(xp vpc create --cidr 172.16.0.0/12)
  vpcB=$(xp vpc create --cidr 192.168.0.0/16)
  vpcC=$(xp vpc create --cidr 10.30.0.0/16)
  for h in A:172.16.1.0/24:h1 B:192.168.1.0/24:h2 C:10.30.1.0/24:h3; do
    IFS=: read -r name cidr host <<<"$h"
    local var="vpc$name"
    vsw=$(xp vswitch create --vpc "${!var}" --cidr "$cidr" --host "$host")
    xp instance create --vswitch "$vsw" >/dev/null
  done
  pab=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcB")

  for ((i = 1; i <= rounds; i++)); do
    dst="192.168.$((100 + i / 256)).$((i % 256))/32"
    hc_time "route add" "$XPEER" route add --vpc "$vpcA" --destination "$dst" --next-hop "$pab"
    id=$HC_OUT
    hc_time "route delete" "$XPEER" route delete "$id"
    hc_time "peering create, accepted (A h1 - C h3)" "$XPEER" peering create --vpc "$vpcA" --peer-vpc "$vpcC"
    id=$HC_OUT
    hc_time "peering delete" "$XPEER" peering delete "$id"
  done

  printf '\nhosts-control: 3 hosts (namespaces of one machine), a 3-member etcd on loopback, %s rounds\n' "$rounds"
  printf 'from the command'"'"'s start (ms): until it exits, and until every host it concerned reports it programmed\n'
  printf '%-52s %6s %10s %10s %10s\n' "CHANGE" "N" "p50" "p99" "max"
  awk -F'\t' '{ print $1 ", command\t" $2; if ($3 != "timeout") print $1 ", hosts concerned\t" $3 }' "$HC_ROWS" | hc_percentiles
  local timeouts
  timeouts=$(awk -F'\t' '$3 == "timeout"' "$HC_ROWS" | wc -l)
  [ "$timeouts" = 0 ] || printf '%s changes not programmed on every host they concerned within 30 s\n' "$timeouts"

  : >"$HC_ROWS"
  t0=$(now_us)
  for ((i = 0; i < vpcs; i++)); do
    id=$(xp vpc create --cidr "10.$((100 + i / 256)).$((i % 256)).0/24")
    vsw=$(xp vswitch create --vpc "$id" --cidr "10.$((100 + i / 256)).$((i % 256)).0/24" --host "h$((i % 3 + 1))")
    if ((i == vpcs - 1)); then
      hc_time "last instance" "$XPEER" instance create --vswitch "$vsw"
    else
      xp instance create --vswitch "$vsw" >/dev/null
    fi
  done
  t1=$(now_us)
  printf '\n%s VPCs, each with a vSwitch and an instance, round-robin on h1..h3, one command at a time:\n' "$vpcs"
  printf '  created in %s s (%s commands); the last one (its instance: its host) programmed %s ms after its command started\n' \
    "$(elapsed_s "$t0" "$t1")" $((vpcs * 3)) "$(cut -f3 "$HC_ROWS")"
  for h in 1 2 3; do
    printf '  agent h%s: RSS %s KiB, %s VPC namespaces\n' "$h" "$(ps -o rss= -p "${AGENT_PID[$h]}" | tr -d ' ')" \
      "$(ip netns list | grep -c "^$(host_env "$h" printenv XPEER_NETNS_PREFIX)-vpc-" || true)"
  done

  for i in 0 1 2; do etcd_stop_member "$i"; done
  sleep "$outage"
  t0=$(now_us)
  for i in 0 1 2; do etcd_start_member "$i"; done
  local tries
  for ((tries = 0; tries < 600; tries++)); do etcd_healthy 0 && break; sleep 0.05; done
  t1=$(now_us)
  : >"$HC_ROWS"
  hc_time "after the outage" "$XPEER" route add --vpc "$vpcA" --destination 192.168.200.0/24 --next-hop "$pab"
  for ((tries = 0; tries < 600; tries++)); do hosts_alive 3 && break; sleep 0.05; done
  printf '\netcd stopped for %s s, then started: a leader after %s s; a change committed then (a route in A: h1 and h2),\n' "$outage" "$(elapsed_s "$t0" "$t1")"
  printf 'programmed on both %s ms after its command started; all three leases held again %s s after the start\n' "$(cut -f3 "$HC_ROWS")" \
    "$(elapsed_s "$t0" "$(now_us)")"
}
