#!/usr/bin/env bash
# tools/bench control at a smoke scale (10 VPCs, 20 peerings, 1,000 routes; seconds): its
# machinery runs end to end and prints every row. The figures are tools/bench's business.
set -euo pipefail
: "${XPEER:?XPEER must point at the xpeer binary}"
XPEER_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
XPEER_BUILD=$(dirname "$XPEER")
for f in "$XPEER_ROOT"/tools/bench.d/*.sh; do source "$f"; done

# A subshell, not $(...): bash runs the EXIT trap (the benchmark's cleanup) only in the former.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
( bench_control --scale small ) | tee "$log"
out=$(<"$log")
for row in "route import, 1000 routes" "reconcile into fresh maps" "^add " "^delete " "^vpc create  *10 " "^vpc list (10)  *3 " \
  "^peering create  *20 " "^peering list (20)  *3 " "^peering delete  *20 " "^vpc delete  *10 " "^peak RSS"; do
  grep -q "$row" <<<"$out" || { echo "FAIL no row matches '$row'" >&2; exit 1; }
done
echo "scenario passed"
