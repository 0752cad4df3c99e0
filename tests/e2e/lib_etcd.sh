# Sourced after lib.sh by scenarios that keep the store in etcd: a cluster of etcd members on
# loopback, each on ports no other run uses and a data folder in this run's $E2E_TMP, stopped by
# PID when the scenario ends (e2e_cleanup kills $E2E_PIDS). Needs Debian's etcd-server.

ETCD_MEMBERS=0
declare -a ETCD_PIDS ETCD_CLIENT_PORTS ETCD_PEER_PORTS

# A TCP port on 127.0.0.1 that nothing listens on now, below the kernel's ephemeral range (so no
# outgoing connection holds it), and none of this run's members' ports.
free_port() {
  local port low span
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  span=$((low - 10000))
  ((span >= 1000)) || span=20000  # an ephemeral range that starts low: ports in it, then
  while :; do
    port=$((10000 + RANDOM % span))
    [[ " ${ETCD_CLIENT_PORTS[*]} ${ETCD_PEER_PORTS[*]} " == *" $port "* ]] && continue
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

etcd_member_url() { echo "http://127.0.0.1:${ETCD_CLIENT_PORTS[$1]}"; }

# etcd_urls: every member's client URL, comma-separated (XPEER_ETCD).
etcd_urls() {
  local i urls=""
  for ((i = 0; i < ETCD_MEMBERS; i++)); do urls+="${urls:+,}$(etcd_member_url "$i")"; done
  echo "$urls"
}

# etcd_start_member I: starts member I (again, after a stop: with its data folder as it was).
etcd_start_member() {
  local i=$1 cluster="" j
  for ((j = 0; j < ETCD_MEMBERS; j++)); do cluster+="${cluster:+,}m$j=http://127.0.0.1:${ETCD_PEER_PORTS[$j]}"; done
  # Transactions as large as a route import of 100k routes (one key a route).
  etcd --name "m$i" --data-dir "$E2E_TMP/etcd-m$i" \
    --listen-client-urls "$(etcd_member_url "$i")" --advertise-client-urls "$(etcd_member_url "$i")" \
    --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[$i]}" \
    --initial-cluster "$cluster" --initial-cluster-token "$RUN_ID" --initial-cluster-state new \
    --max-txn-ops 1000000 --max-request-bytes 268435456 --quota-backend-bytes 8589934592 \
    --heartbeat-interval 50 --election-timeout 500 >"$E2E_TMP/etcd-m$i.log" 2>&1 &
  ETCD_PIDS[$i]=$!
  E2E_PIDS+=("$!")
}

etcd_stop_member() {
  kill "${ETCD_PIDS[$1]}" 2>/dev/null || true
  wait "${ETCD_PIDS[$1]}" 2>/dev/null || true
}

# etcd_healthy I: member I answers and its cluster has a leader.
etcd_healthy() { curl -sf -m 2 "$(etcd_member_url "$1")/health" | grep -q '"health":"true"'; }

# etcd_all_healthy: every member answers, with a leader.
etcd_all_healthy() {
  local i
  for ((i = 0; i < ETCD_MEMBERS; i++)); do etcd_healthy "$i" || return 1; done
}

# etcd_start_cluster N: N members, every one ready to answer (a scenario that stops one must not
# find another that never started); exports XPEER_ETCD. A member that did not come up (its port
# taken in between) makes the cluster start again, on other ports.
etcd_start_cluster() {
  local i tries attempt
  ETCD_MEMBERS=$1
  for attempt in 1 2 3; do
    ETCD_CLIENT_PORTS=() ETCD_PEER_PORTS=()
    for ((i = 0; i < ETCD_MEMBERS; i++)); do
      ETCD_CLIENT_PORTS[$i]=$(free_port)
      ETCD_PEER_PORTS[$i]=$(free_port)
    done
    for ((i = 0; i < ETCD_MEMBERS; i++)); do etcd_start_member "$i"; done
    for ((tries = 0; tries < 100; tries++)); do
      etcd_all_healthy && break
      sleep 0.1
    done
    etcd_all_healthy && break
    for ((i = 0; i < ETCD_MEMBERS; i++)); do
      etcd_healthy "$i" || { echo "etcd member m$i did not start (attempt $attempt):" >&2; tail -n 5 "$E2E_TMP/etcd-m$i.log" >&2; }
      etcd_stop_member "$i"
    done
    rm -rf "$E2E_TMP"/etcd-m*
  done
  etcd_all_healthy || { fail "etcd did not start"; exit 1; }
  export XPEER_ETCD
  XPEER_ETCD=$(etcd_urls)
}

# as_other_machine COMMAND...: COMMAND with the settings of another machine that shares the
# store: its own replica, datapath namespace, VPC namespaces and bpffs folder (all removed with
# this run's). One kernel is programmed from one replica only.
as_other_machine() {
  XPEER_STATE="$E2E_TMP/other-machine.db" XPEER_BPFFS="$XPEER_BPFFS/other" XPEER_DATAPATH_NETNS="${RUN_ID}o-dp" \
    XPEER_NETNS_PREFIX="${RUN_ID}o" "$@"
}
on_other_machine() { as_other_machine "$XPEER" "$@"; }

# etcd_keys PREFIX: how many keys etcd holds under the prefix.
etcd_keys() {
  ETCDCTL_API=3 etcdctl --endpoints "$XPEER_ETCD" get --prefix "$1" --keys-only --command-timeout=5s | grep -c . || true
}
