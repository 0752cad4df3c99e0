# Fault injection, sourced after lib.sh (by tests/e2e/fault_injection.sh and tools/faults): every
# mutating verb is killed with SIGKILL at random points; after each kill, the next command (one
# that only reads) must leave nothing that `xpeer check` finds.

# fault_kill DELAY_MS ARGS...: the CLI, killed after DELAY_MS milliseconds if still running.
fault_kill() {
  local delay=$1 pid
  shift
  "$XPEER" "$@" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' "$delay")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# fault_run KILLS: the topology, then KILLS kills across the verbs. Sets FAULT_KILLS, FAULT_DRIFT
# (kills after which check found drift) and FAULT_REPAIRED (kills whose leftovers the next command repaired).
fault_run() {
  local kills=$1 i verb delay n=0 out
  FAULT_KILLS=0 FAULT_DRIFT=0 FAULT_REPAIRED=0
  local vpc1 vpc2 vsw1 pcc
  vpc1=$(xp vpc create --cidr 10.0.0.0/8)
  vpc2=$(xp vpc create --cidr 192.168.0.0/16)
  vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 10.0.1.0/24)
  xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24 >/dev/null
  pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
  xp route add --vpc "$vpc2" --destination 10.0.0.0/8 --next-hop "$pcc" >/dev/null
  local verbs=(vswitch_create instance_create peering_create route_add route_import route_delete vswitch_delete peering_delete)
  for ((i = 0; i < kills; i++)); do
    verb=${verbs[$((i % ${#verbs[@]}))]}
    delay=$((RANDOM % 40))
    n=$((n + 1))
    case $verb in
      vswitch_create) fault_kill "$delay" vswitch create --vpc "$vpc1" --cidr "10.$((n % 200 + 2)).$((n / 200)).0/24" ;;
      instance_create) fault_kill "$delay" instance create --vswitch "$vsw1" ;;
      peering_create)
        local spoke
        spoke=$(xp vpc create --cidr "172.$((16 + n % 16)).0.0/16")
        fault_kill "$delay" peering create --vpc "$vpc1" --peer-vpc "$spoke"
        ;;
      route_add) fault_kill "$delay" route add --vpc "$vpc1" --destination "192.168.$((n % 256)).$((n / 256 % 64 * 4))/30" --next-hop "$pcc" ;;
      route_import)
        awk -v n="$n" 'BEGIN { for (i = 0; i < 3000; i++) printf "192.168.%d.%d/32\n", 128 + int(i / 256) % 100, i % 256 + 0 * n }' >"$E2E_TMP/faults.routes"
        fault_kill $((delay * 3)) route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP/faults.routes"
        ;;
      route_delete)
        local rte
        rte=$("$XPEER" --json route list --vpc "$vpc1" | jq -r '.[0].RouteEntryId // empty')
        [ -n "$rte" ] && fault_kill "$delay" route delete "$rte"
        ;;
      vswitch_delete)
        local vsw
        vsw=$("$XPEER" --json vswitch list --vpc "$vpc1" | jq -r --arg keep "$vsw1" '[.[] | select(.VSwitchId != $keep)][0].VSwitchId // empty')
        [ -n "$vsw" ] && fault_kill "$delay" vswitch delete "$vsw"
        ;;
      peering_delete)
        local p
        p=$("$XPEER" --json peering list | jq -r --arg keep "$pcc" '[.[] | select(.InstanceId != $keep and .Status != "Deleted")][0].InstanceId // empty')
        [ -n "$p" ] && fault_kill "$delay" peering delete --force "$p"
        ;;
    esac
    FAULT_KILLS=$((FAULT_KILLS + 1))
    # the next command: it only reads
    if "$XPEER" --json vpc list 2>&1 >/dev/null | grep -q "was interrupted"; then FAULT_REPAIRED=$((FAULT_REPAIRED + 1)); fi
    if ! out=$("$XPEER" check 2>&1); then
      FAULT_DRIFT=$((FAULT_DRIFT + 1))
      printf 'drift after killing %s at %d ms:\n%s\n' "$verb" "$delay" "$out" >&2
      xp reconcile >/dev/null
    fi
  done
}
