#!/usr/bin/env bash
# Soak, a short run: cycles of many peerings created, accepted, routed, pinged and deleted while
# the agent runs; nothing may be left or grow. Four cycles here; `tools/soak --minutes N` runs it
# for longer.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_soak.sh"

step "cycles of 6 spoke peerings (3 cross-account) while the agent runs"
soak_run "${SOAK_MINUTES:-0}" "${SOAK_SPOKES:-6}"
[ "$SOAK_LEAKS" = 0 ] && pass "$SOAK_CYCLES cycle(s): nothing left, nothing grew" || fail "$SOAK_LEAKS of $SOAK_CYCLES cycles left something or grew"
expect_ok "check is clean at the end" "$XPEER" check

finish
