#!/usr/bin/env bash
# A short run of the scale simulation (tools/bench scale, docs/SCALE.md): a few simulated hosts'
# agents against a three-member etcd follow every route change, each reporting it programmed,
# with no agent failing. The long runs are `tools/bench scale`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"

SCALE="$(dirname "$XPEER")/xpeer-scale"
[ -x "$SCALE" ] || { fail "no xpeer-scale next to $XPEER"; exit 1; }

step "a three-member etcd cluster on loopback"
etcd_start_cluster 3
pass "etcd at $XPEER_ETCD"

step "5 agents, 6 VPCs peered in a ring, 6 route changes"
out=$("$SCALE" --etcd "$XPEER_ETCD" --dir "$E2E_TMP/scale" --agents 5 --vpcs 6 --changes 6) || fail "xpeer-scale failed: $out"
echo "$out"
[ "$(jq -r .changes <<<"$out")" = 6 ] && pass "every change converged on every agent" || fail "changes: $out"
[ "$(jq -r .agent_failure <<<"$out")" = "" ] && pass "no agent failed to follow" || fail "an agent failed: $out"
jq -e '.etcd_puts_per_change >= 5' <<<"$out" >/dev/null && pass "each agent reported each change programmed" ||
  fail "etcd writes a change: $(jq .etcd_puts_per_change <<<"$out")"
jq -e '.converged_ms_p50 >= .command_ms_p50 and .etcd_sent_bytes_per_change > 0' <<<"$out" >/dev/null &&
  pass "figures: converged after the command, etcd's bytes counted" || fail "figures: $out"

finish
