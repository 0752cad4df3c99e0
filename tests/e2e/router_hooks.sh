#!/usr/bin/env bash
# The router's hooks (--xdp-mode tc, native, generic): attached as the command's mode says,
# upgraded in place through their pinned BPF links, moved from one hook to another by
# `reconcile` in the new mode, with `check` clean and TCP flowing in each.
#
#   vpc1 172.16.0.0/12 (172.16.1.2) --pcc-- vpc2 192.168.0.0/16 (192.168.1.2)
source "$(dirname "$0")/lib.sh"
start=${XPEER_XDP_MODE:-tc}

step "topology, attached in $start mode"
peered_pair
dpif="xp${vsw1#vsw-}" vpcif="vs${vsw1#vsw-}"
dpif=${dpif:0:15} vpcif=${vpcif:0:15}
# link_of IFNAME [JQ]: the BPF link pinned for that end, or nothing.
link_of() { [ ! -e "$XPEER_BPFFS/links/$1" ] || bpftool -j link show pinned "$XPEER_BPFFS/links/$1" | jq -c "${2:-.}"; }
# attached_as MODE: the datapath end runs the mode's router through its pinned link, and the VPC
# end the VPC-side program only in XDP modes.
attached_as() {
  local type want vpc_pin
  if [ "$1" = tc ]; then type=11 want=xp_router_tc; else type='"xdp"' want=xp_router; fi  # bpftool 7.1 knows no tcx: its number
  [ "$(link_of "$dpif" .type)" = "$type" ] &&
    [ "$(link_of "$dpif" .prog_id)" = "$(bpftool -j prog show pinned "$XPEER_BPFFS/$want" | jq .id)" ] || return 1
  vpc_pin=$(link_of "$vpcif" .type)
  if [ "$1" = tc ]; then [ -z "$vpc_pin" ]; else [ "$vpc_pin" = '"xdp"' ]; fi
}
tcp_ok() { tcp_stream "$vpc1" "$vpc2" 192.168.1.2 >/dev/null; }

attached_as "$start" && pass "$start: the router runs on $dpif through its pinned link" || fail "$start: $(link_of "$dpif")"
diffs=$(xp check 2>&1) && pass "check: in sync" || fail "check: $diffs"
tcp_ok && pass "TCP vpc1 -> vpc2" || fail "no TCP in $start mode"

step "upgrade: the same link, a new program"
before=$(link_of "$dpif" .id)
xp --operator upgrade >/dev/null
[ "$(link_of "$dpif" .id)" = "$before" ] && attached_as "$start" && pass "link $before updated in place" ||
  fail "after upgrade: $(link_of "$dpif")"
tcp_ok && pass "TCP after the upgrade" || fail "no TCP after the upgrade"

# The two other modes, then back to the first.
for mode in $(for m in tc native generic; do [ "$m" = "$start" ] || echo "$m"; done) "$start"; do
  step "reconcile in $mode mode"
  XPEER_XDP_MODE=$mode xp reconcile >/dev/null || true
  attached_as "$mode" && pass "$mode: the router moved to its hook" || fail "$mode: $(link_of "$dpif") / VPC end $(link_of "$vpcif")"
  diffs=$(XPEER_XDP_MODE=$mode xp check 2>&1) && pass "check in $mode mode: in sync" || fail "check in $mode mode: $diffs"
  tcp_ok && pass "TCP in $mode mode" || fail "no TCP in $mode mode"
done

finish
