#!/usr/bin/env bash
# Fault injection, a short run: each mutating verb killed with SIGKILL at random points; after
# every kill, the next command (one that only reads) leaves nothing that `xpeer check` finds.
# `tools/faults [KILLS]` runs the same for longer.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_faults.sh"

step "kill every mutating verb at random points"
xp --operator quota set vpc_quota_peer_num 100 --for-account "$XPEER_ACCOUNT" >/dev/null
fault_run "${FAULT_KILLS_WANTED:-64}"
[ "$FAULT_DRIFT" = 0 ] && pass "$FAULT_KILLS kills ($FAULT_REPAIRED left work the next command repaired): check found nothing after it, every time" ||
  fail "$FAULT_DRIFT of $FAULT_KILLS kills left drift after the next command"
expect_ok "check is clean at the end" "$XPEER" check

finish
