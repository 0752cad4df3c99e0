# Sourced by every end-to-end scenario. Gives each run names that cannot collide with another
# run (state, bpffs folder, namespaces), and a cleanup that always runs, even on failure.
set -euo pipefail

: "${XPEER:?XPEER must point at the xpeer binary}"
RUN_ID="xt$$$(printf '%04x' $((RANDOM % 65536)))"
E2E_TMP=$(mktemp -d "/tmp/xpeer-e2e-$RUN_ID.XXXX")
export XPEER_STATE="$E2E_TMP/state.db"
export XPEER_BPFFS="/sys/fs/bpf/$RUN_ID"
export XPEER_DATAPATH_NETNS="$RUN_ID-dp"
export XPEER_NETNS_PREFIX="$RUN_ID"
export XPEER_ACCOUNT=${XPEER_ACCOUNT:-1001}
E2E_PIDS=()
E2E_FAILED=0

e2e_cleanup() {
  local pid ns tries
  for pid in "${E2E_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # A service may take seconds to stop (an etcd leader hands over first); none outlives the run.
  for pid in "${E2E_PIDS[@]}"; do
    for ((tries = 0; tries < 50; tries++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  "$XPEER" teardown >/dev/null 2>&1 || true
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$RUN_ID" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$XPEER_BPFFS" "$E2E_TMP"
}
trap e2e_cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
pass() { printf 'ok   %s\n' "$*"; }
fail() {
  printf 'FAIL %s\n' "$*" >&2
  E2E_FAILED=1
}
finish() {
  if [ "$E2E_FAILED" -ne 0 ]; then
    echo "scenario failed" >&2
    exit 1
  fi
  echo "scenario passed"
}

# xp ARGS...: the CLI, failing the scenario if it fails.
xp() { "$XPEER" "$@"; }

# expect_ok DESCRIPTION COMMAND...; expect_fail DESCRIPTION COMMAND...
expect_ok() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
expect_fail() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then fail "$what (it succeeded)"; else pass "$what"; fi
}

# expect_refused DESCRIPTION RULE ARGS...: the CLI exits non-zero with one line, "error: RULE: ...".
expect_refused() {
  local what=$1 rule=$2 out status=0
  shift 2
  out=$("$XPEER" "$@" 2>&1) || status=$?
  if [ "$status" -ne 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "^error: $rule" <<<"$out"; then
    pass "$what: $(head -1 <<<"$out")"
  else
    fail "$what: status $status, output: $out"
  fi
}

# in_vpc VPC COMMAND...: run inside the VPC's namespace.
in_vpc() {
  local vpc=$1
  shift
  "$XPEER" exec "$vpc" -- "$@"
}

ping_ok() { in_vpc "$1" ping -c 2 -i 0.2 -W 1 "${@:2}" >/dev/null 2>&1; }

# reachable DESC VPC [-I SRC] DST / unreachable DESC VPC [-I SRC] DST
reachable() {
  local what=$1
  shift
  if ping_ok "$@"; then pass "$what"; else fail "$what"; fi
}
unreachable() {
  local what=$1
  shift
  if ! in_vpc "$1" true; then
    fail "$what (cannot run a command in $1)"
  elif ping_ok "$@"; then
    fail "$what (a reply came back)"
  else
    pass "$what"
  fi
}

# tcp_stream FROM_VPC TO_VPC ADDR: a one-second iperf3 TCP stream; prints the bytes the
# receiver got, and fails if none arrived.
tcp_stream() {
  local from=$1 to=$2 addr=$3 port=$((20000 + RANDOM % 20000)) got
  in_vpc "$to" iperf3 -s -1 -p "$port" -B "$addr" >/dev/null 2>&1 &
  E2E_PIDS+=($!)
  sleep 0.5
  got=$(in_vpc "$from" timeout 20 iperf3 -c "$addr" -p "$port" -t 1 -J | jq -r '.end.sum_received.bytes // 0')
  echo "$got"
  [ "${got:-0}" -gt 0 ]
}

# counter PCC DIRECTION_INDEX FIELD: a per-link counter from `xpeer stats --json` (Packets, Bytes,
# DropInactive, DropNoRoute, DropTransit, DropTtl, DropPolicer).
counter() {
  "$XPEER" --json stats "$1" | jq -r ".Links[0].Directions[$2].Counters.$3"
}

# peered_pair: the scenarios' usual topology, one instance each (172.16.1.2, 192.168.1.2).
# Sets vpc1, vpc2, vsw1, vsw2 and pcc.
#   vpc1 172.16.0.0/12 (vsw 172.16.1.0/24) --pcc-- vpc2 192.168.0.0/16 (vsw 192.168.1.0/24)
peered_pair() {
  vpc1=$(xp vpc create --cidr 172.16.0.0/12)
  vpc2=$(xp vpc create --cidr 192.168.0.0/16)
  vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
  vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
  xp instance create --vswitch "$vsw1" >/dev/null
  xp instance create --vswitch "$vsw2" >/dev/null
  pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
  xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
  xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
}
