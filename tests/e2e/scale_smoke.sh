#!/usr/bin/env bash
# A short run of the scale simulation (tools/bench scale, docs/SCALE.md): simulated hosts' agents
# against a three-member etcd follow the route changes of their slices, each concerned one
# reporting it programmed, the others left alone, with no agent failing. The long runs are
# `tools/bench scale`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"

SCALE="$(dirname "$XPEER")/xpeer-scale"
[ -x "$SCALE" ] || { fail "no xpeer-scale next to $XPEER"; exit 1; }

step "a three-member etcd cluster on loopback"
etcd_start_cluster 3
pass "etcd at $XPEER_ETCD"

step "16 agents, 16 VPCs (one a host) peered in a ring, 6 route changes"
out=$("$SCALE" --etcd "$XPEER_ETCD" --dir "$E2E_TMP/scale" --agents 16 --vpcs 16 --changes 6) || fail "xpeer-scale failed: $out"
echo "$out"
[ "$(jq -r .changes <<<"$out")" = 6 ] && pass "every change converged on the agents it concerned" || fail "changes: $out"
[ "$(jq -r .agent_failure <<<"$out")" = "" ] && pass "no agent failed to follow" || fail "an agent failed: $out"
# A route in VPC i changes its table: its host's, and its two peers' (their packets' second lookup).
jq -e '.hosts_concerned_p50 == 3 and .hosts_concerned_max == 3' <<<"$out" >/dev/null &&
  pass "each change concerned 3 of the 16 hosts: the VPC's and its two peers'" || fail "hosts a change concerned: $out"
[ "$(jq -r .unconcerned_followed <<<"$out")" = 0 ] && pass "no other agent followed a change" || fail "agents woken by others' changes: $out"
# The route, the commit key, 3 slice keys and 3 reports: fewer writes than agents.
jq -e '.etcd_puts_per_change >= 8 and .etcd_puts_per_change < 16' <<<"$out" >/dev/null &&
  pass "etcd wrote $(jq .etcd_puts_per_change <<<"$out") keys a change: each concerned agent's report, not every agent's" ||
  fail "etcd writes a change: $(jq .etcd_puts_per_change <<<"$out")"
jq -e '.converged_ms_p50 >= .command_ms_p50 and .etcd_sent_bytes_per_change > 0' <<<"$out" >/dev/null &&
  pass "figures: converged after the command, etcd's bytes counted" || fail "figures: $out"

finish
