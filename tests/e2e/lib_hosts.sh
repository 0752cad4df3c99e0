# Sourced after lib.sh and lib_etcd.sh by scenarios of several hosts on one machine: each host a
# datapath namespace with its own replica, bpffs folder and agent, all on one underlay bridge in
# a namespace of the run (10.250.0.I/24 and fd00:250::I/64 on "ulI", MTU 1600).

UL="${RUN_ID}-ul"
declare -A AGENT_PID
declare -A HOST_REGION  # a host's region, when not the agent's default (cn-hangzhou)
declare -A AGENT_ARGS   # more flags for a host's agent (split on spaces)

# Host 1 is the scenario's own settings (xp, in_vpc); the others have their own, given to `env`
# so that a process started in the background is the one whose PID the cleanup kills.
host_vars() {
  [ "$1" = 1 ] && return
  echo "XPEER_STATE=$E2E_TMP/h$1.db XPEER_BPFFS=$XPEER_BPFFS/h$1 XPEER_DATAPATH_NETNS=${RUN_ID}h$1-dp XPEER_NETNS_PREFIX=${RUN_ID}h$1"
}
host_env() { env $(host_vars "$1") "${@:2}"; }
on_host() { host_env "$1" "$XPEER" "${@:2}"; }
dp_ns() { host_env "$1" printenv XPEER_DATAPATH_NETNS; }
ping_on() { on_host "$1" exec "$2" -- ping -c 2 -i 0.2 -W 1 "${@:3}" >/dev/null 2>&1; }
verdict_on() { on_host "$1" --operator --json stats | jq -r --arg r "$2" '.Reasons[] | select(.Reason == $r).Packets'; }
host_json() { "$XPEER" --operator --json host list | jq -c --arg h "$1" '.[] | select(.HostName == $h)'; }
alive_hosts() { "$XPEER" --operator --json host list | jq '[.[] | select(.LeaseAlive)] | length'; }
lease_held() { [ "$(host_json "$1" | jq -r .LeaseAlive)" = true ]; }
hosts_alive() { [ "$(alive_hosts)" = "$1" ]; }

# until_ok DESC COMMAND...: a change reaches another host through its agent; give it 5 s.
until_ok() {
  local what=$1 tries
  shift
  for ((tries = 0; tries < 50; tries++)); do
    "$@" && { pass "$what"; return 0; }
    sleep 0.1
  done
  fail "$what"
}

# underlay_start N: the bridge and hosts 1..N's datapath namespaces on it.
underlay_start() {
  local i ns
  ip netns add "$UL"
  ip -n "$UL" link add br0 type bridge
  ip -n "$UL" link set br0 up
  for ((i = 1; i <= $1; i++)); do
    ns=$(dp_ns "$i")
    ip netns add "$ns"
    ip link add "ul$i" netns "$ns" mtu 1600 type veth peer name "ulb$i" netns "$UL" mtu 1600
    ip -n "$ns" addr add "10.250.0.$i/24" dev "ul$i"
    ip -n "$ns" addr add "fd00:250::$i/64" dev "ul$i" nodad
    ip -n "$ns" link set "ul$i" up
    ip -n "$UL" link set "ulb$i" master br0 up
    # A veth takes frames an XDP program redirects to it only with GRO on, or a program of its own.
    ip netns exec "$UL" ethtool -K "ulb$i" gro on >/dev/null
  done
}

# agent_start I: host I's agent (again, after a stop), a 2 s lease, a 1 s interval, in region
# ${HOST_REGION[I]} if set, with ${AGENT_ARGS[I]}.
agent_start() {
  env $(host_vars "$1") "$XPEER" agent --host "h$1" --underlay "ul$1" --lease-ttl 2s --metrics-port 0 --interval 1s \
    ${HOST_REGION[$1]:+--region "${HOST_REGION[$1]}"} ${AGENT_ARGS[$1]:-} >>"$E2E_TMP/agent-h$1.log" 2>&1 &
  E2E_PIDS+=("$!")
  AGENT_PID[$1]=$!
}

# hosts_start N: the underlay, then N agents, each holding its lease.
hosts_start() {
  local i tries
  underlay_start "$1"
  for ((i = 1; i <= $1; i++)); do agent_start "$i"; done
  for ((tries = 0; tries < 100; tries++)); do
    [ "$(alive_hosts)" = "$1" ] && break
    sleep 0.1
  done
  [ "$(alive_hosts)" = "$1" ] && pass "$1 hosts hold their leases" || { fail "not every host came up"; tail -n 5 "$E2E_TMP"/agent-h*.log >&2; }
}
