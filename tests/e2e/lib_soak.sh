# Soak, sourced after lib.sh (by tests/e2e/soak.sh and tools/soak): cycles of creating, accepting,
# routing, pinging and deleting many peerings while an agent runs; after each cycle, nothing the
# cycle made may be left: namespaces, links, rules, map entries, the agent's file descriptors and
# memory (beyond a bound). One line of figures a cycle.

soak_count_netns() { ip netns list | awk '{print $1}' | grep -c "^$RUN_ID" || true; }
soak_count_links() { ip -n "$XPEER_DATAPATH_NETNS" -j link show | jq '[.[] | select(.ifname | startswith("xp"))] | length'; }
soak_count_rules() { "$XPEER" --account "$SOAK_HUB_ACCOUNT" exec "$1" -- ip -j rule show | jq '[.[] | select(.priority >= 2000 and .priority < 32766)] | length'; }
soak_count_routes() { bpftool -j map dump pinned "$XPEER_BPFFS/xp_routes_v4" | jq length; }
soak_count_peerings() { bpftool -j map dump pinned "$XPEER_BPFFS/xp_peerings" | jq '[.[] | select(.formatted.value.vpc_a != 0)] | length'; }
soak_rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# The fewest of three looks: a tick in flight holds a few descriptors for a moment (namespaces, maps).
soak_fds() {
  local n min=1000000
  for _ in 1 2 3; do
    n=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l)
    [ "$n" -lt "$min" ] && min=$n
    sleep 0.15
  done
  echo "$min"
}

# soak_cycle N SPOKES: SPOKES spoke VPCs (every other one another account's, which accepts), each
# peered with the hub, routed at both ends, one ping each way, then everything deleted.
soak_cycle() {
  local n=$1 spokes=$2 i account vpc vsw pcc
  local -a vpcs=() accounts=() pccs=() vsws=() insts=()
  for ((i = 0; i < spokes; i++)); do
    account=$((i % 2 == 0 ? SOAK_HUB_ACCOUNT : SOAK_PEER_ACCOUNT))
    vpc=$("$XPEER" --account "$account" vpc create --cidr "10.$((i + 1)).0.0/16")
    vsw=$("$XPEER" --account "$account" vswitch create --vpc "$vpc" --cidr "10.$((i + 1)).1.0/24")
    insts+=("$("$XPEER" --account "$account" instance create --vswitch "$vsw" --ip "10.$((i + 1)).1.2" >/dev/null &&
      "$XPEER" --account "$account" --json instance list --vswitch "$vsw" | jq -r '.[0].InstanceId')")
    if [ "$account" = "$SOAK_HUB_ACCOUNT" ]; then
      pcc=$("$XPEER" --account "$SOAK_HUB_ACCOUNT" peering create --vpc "$SOAK_HUB" --peer-vpc "$vpc")
    else
      pcc=$("$XPEER" --account "$SOAK_HUB_ACCOUNT" peering create --vpc "$SOAK_HUB" --peer-vpc "$vpc" --peer-account "$account")
      "$XPEER" --account "$account" peering accept "$pcc" >/dev/null
    fi
    "$XPEER" --account "$SOAK_HUB_ACCOUNT" route add --vpc "$SOAK_HUB" --destination "10.$((i + 1)).0.0/16" --next-hop "$pcc" >/dev/null
    "$XPEER" --account "$account" route add --vpc "$vpc" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
    vpcs+=("$vpc") accounts+=("$account") pccs+=("$pcc") vsws+=("$vsw")
  done
  SOAK_PINGS_LOST=0
  for ((i = 0; i < spokes; i++)); do
    "$XPEER" --account "$SOAK_HUB_ACCOUNT" exec "$SOAK_HUB" -- ping -c 1 -W 1 "10.$((i + 1)).1.2" >/dev/null 2>&1 || SOAK_PINGS_LOST=$((SOAK_PINGS_LOST + 1))
  done
  for ((i = 0; i < spokes; i++)); do
    "$XPEER" --account "$SOAK_HUB_ACCOUNT" peering delete --force "${pccs[$i]}" >/dev/null
    "$XPEER" --account "${accounts[$i]}" instance delete "${insts[$i]}" >/dev/null
    "$XPEER" --account "${accounts[$i]}" vswitch delete "${vsws[$i]}" >/dev/null
    "$XPEER" --account "${accounts[$i]}" vpc delete "${vpcs[$i]}" >/dev/null
  done
}

# soak_run MINUTES SPOKES: the hub and an agent, then cycles until the time is up (four at least).
# Sets SOAK_CYCLES and SOAK_LEAKS (cycles after which something was left or grew past its bound).
# The agent's descriptors are compared with the third cycle's, its memory with the third cycle's
# plus 8 MiB and the per-CPU link counters, which it maps (all at once) after its 64th read of them.
soak_run() {
  local minutes=$1 spokes=$2 deadline cycle=0 agent base_rss=0 base_fds=0 rss fds
  SOAK_HUB_ACCOUNT=3001 SOAK_PEER_ACCOUNT=3002 SOAK_LEAKS=0
  for a in $SOAK_HUB_ACCOUNT $SOAK_PEER_ACCOUNT; do xp --operator quota set vpc_quota_peer_num 100 --for-account "$a" >/dev/null; done
  SOAK_HUB=$("$XPEER" --account $SOAK_HUB_ACCOUNT vpc create --cidr 172.16.0.0/12)
  local hub_vsw
  hub_vsw=$("$XPEER" --account $SOAK_HUB_ACCOUNT vswitch create --vpc "$SOAK_HUB" --cidr 172.16.1.0/24)
  "$XPEER" --account $SOAK_HUB_ACCOUNT instance create --vswitch "$hub_vsw" >/dev/null
  "$XPEER" agent --interval 500ms --metrics-port 0 2>"$E2E_TMP/soak-agent.log" &
  agent=$!
  E2E_PIDS+=("$agent")
  sleep 1
  local netns0 links0 rules0 routes0 peerings0 link_stats_kib
  link_stats_kib=$(($(bpftool -j map show pinned "$XPEER_BPFFS/xp_link_stats" | jq '.bytes_memlock // (.max_entries * .value_size)') / 1024))
  netns0=$(soak_count_netns) links0=$(soak_count_links) rules0=$(soak_count_rules "$SOAK_HUB")
  routes0=$(soak_count_routes) peerings0=$(soak_count_peerings)
  deadline=$(($(date +%s) + minutes * 60))
  printf 'cycle\tseconds\tpings lost\tnetns\tlinks\trules\troutes\tpeerings\tagent fds\tagent RSS KiB\tcheck\n'
  while :; do
    cycle=$((cycle + 1))
    local t0=$SECONDS
    soak_cycle "$cycle" "$spokes"
    sleep 0.6  # a tick of the agent's with nothing in flight
    rss=$(soak_rss_kib "$agent") fds=$(soak_fds "$agent")
    [ "$cycle" -le 3 ] && base_rss=$rss base_fds=$fds
    local netns links rules routes peerings check=clean
    netns=$(soak_count_netns) links=$(soak_count_links) rules=$(soak_count_rules "$SOAK_HUB")
    routes=$(soak_count_routes) peerings=$(soak_count_peerings)
    "$XPEER" check >/dev/null 2>&1 || check=drift
    printf '%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n' "$cycle" $((SECONDS - t0)) "$SOAK_PINGS_LOST" "$netns" "$links" "$rules" \
      "$routes" "$peerings" "$fds" "$rss" "$check"
    # Memory: the third cycle's RSS plus the counters' mapping and 8 MiB (the allocator's arenas settle).
    if [ "$SOAK_PINGS_LOST" != 0 ] || [ "$netns" != "$netns0" ] || [ "$links" != "$links0" ] || [ "$rules" != "$rules0" ] ||
      [ "$routes" != "$routes0" ] || [ "$peerings" != "$peerings0" ] || [ "$fds" -gt "$base_fds" ] ||
      [ "$rss" -gt $((base_rss + link_stats_kib + 8192)) ] || [ "$check" != clean ]; then
      SOAK_LEAKS=$((SOAK_LEAKS + 1))
    fi
    [ "$(date +%s)" -lt "$deadline" ] || [ "$cycle" -lt 4 ] || break
  done
  SOAK_CYCLES=$cycle
  kill "$agent"
  wait "$agent" 2>/dev/null || true
}
