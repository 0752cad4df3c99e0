# Sourced by tools/bench: `tools/bench scale [AGENTS...]` (100 1000): that many hosts' agents
# without a data plane (bench/scale: each agent's controller, replica, lease, slice watch and
# programmed reports, over a memory data plane), all in one process, against a three-member etcd
# on loopback, a fresh one per count. SCALE_VPCS (100) VPCs, one vSwitch each on the hosts
# round-robin, peered in a ring; SCALE_CHANGES (50) route changes, each timed from its command's
# start until every agent it concerned (whose slice key it wrote) programmed its revision; etcd's
# own figures from its /metrics.

bench_scale() {
  local counts=("$@") n out url
  [ ${#counts[@]} -gt 0 ] || counts=(100 1000)
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  source "$XPEER_ROOT/tests/e2e/lib_etcd.sh"
  ulimit -n "$(ulimit -Hn)"  # a watch and a replica an agent; etcd inherits it
  trap 'rm -rf /dev/shm/xpeer-scale-"$RUN_ID"-*; e2e_cleanup' EXIT  # the replicas in memory, even when stopped
  local rows="$E2E_TMP/scale.rows"
  : >"$rows"
  for n in "${counts[@]}"; do
    etcd_start_cluster 3
    local dir="/dev/shm/xpeer-scale-$RUN_ID-$n"
    out=$("$XPEER_BUILD/xpeer-scale" --etcd "$XPEER_ETCD" --dir "$dir" --agents "$n" --vpcs "${SCALE_VPCS:-100}" \
      --changes "${SCALE_CHANGES:-50}") || echo "bench: xpeer-scale with $n agents failed: $out" >&2
    rm -rf "$dir"
    for ((i = 0; i < 3; i++)); do etcd_stop_member "$i"; done
    rm -rf "$E2E_TMP"/etcd-m*
    [ -n "$out" ] && echo "$out" >>"$rows"
  done
  printf '\nscale: simulated agents (no data plane) against a 3-member etcd on one 2-core machine; %s VPCs peered in a ring, %s route changes\n' \
    "${SCALE_VPCS:-100}" "${SCALE_CHANGES:-50}"
  printf '%7s %12s %12s %12s %10s %10s %12s %12s %10s %10s %10s %10s\n' AGENTS "CATCH-UP s" "CMD ms p50" "CONV ms p50" "p99" \
    "HOSTS/chg" "CPU ms/chg" "SENT KB/chg" "PUTS/chg" "DB MiB" "RSS MiB" FAILURE
  # etcd's figures are 0 where its /metrics did not answer (the FAILURE column says so)
  jq -r '[.agents, .catch_up_s, .command_ms_p50, .converged_ms_p50, .converged_ms_p99, .hosts_concerned_p50, .cpu_s_per_change * 1000,
          (.etcd_sent_bytes_per_change // 0) / 1024, (.etcd_puts_per_change // 0), (.etcd_db_bytes // 0) / 1048576,
          (.etcd_rss_bytes // 0) / 1048576,
          ([.agent_failure, (.etcd_metrics_failure // ""),
            (if .unconcerned_followed > 0 then "\(.unconcerned_followed) followed a change not theirs" else "" end)] |
           map(select(. != "")) | if length == 0 then "-" else join("; ") end)] | @tsv' "$rows" |
    awk -F'\t' '{ printf "%7d %12.1f %12.1f %12.1f %10.1f %10.1f %12.1f %12.1f %10.1f %10.1f %10.1f %10s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }'
}
