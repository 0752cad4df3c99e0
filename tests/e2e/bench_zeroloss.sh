#!/usr/bin/env bash
# tools/bench zeroloss at a smoke scale (1,000 packets/s, 10 routes, 2 agent restarts, 2 upgrades):
# the stream crosses the router in every phase and every row is printed. Losses are the
# benchmark's figures, not checked here.
set -euo pipefail
: "${XPEER:?XPEER must point at the xpeer binary}"
XPEER_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
XPEER_BUILD=$(dirname "$XPEER")
for f in "$XPEER_ROOT"/tools/bench.d/*.sh; do source "$f"; done

# A subshell, not $(...): bash runs the EXIT trap (the benchmark's cleanup) only in the former.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
( bench_zeroloss --pps 1000 --baseline 1 --routes 10 --restarts 2 --upgrades 2 ) | tee "$log"
out=$(<"$log")
for phase in baseline routes agent upgrade; do  # SENT and RECEIVED are not zero
  awk -v p="$phase" '$1 == p && $3 > 0 && $4 > 0 { found = 1 } END { exit !found }' <<<"$out" ||
    { echo "FAIL no traffic in the $phase phase" >&2; exit 1; }
done
echo "scenario passed"
