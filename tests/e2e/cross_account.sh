#!/usr/bin/env bash
# A cross-account connection as the seed describes it: Alice requests, traffic stays blocked
# while Peer Accepting, only Bob may accept; then traffic flows; a forced delete removes the
# routes at both ends. The reject and expiry paths, dry run and client tokens too.
#
#   Alice: vpcA 172.16.0.0/12 (172.16.1.2)  --pcc--  Bob: vpcB 192.168.0.0/16 (192.168.1.2)
source "$(dirname "$0")/lib.sh"

ALICE=2001
BOB=2002
alice() { xp --account $ALICE "$@"; }
bob() { xp --account $BOB "$@"; }
# Commands in a VPC run as its owner.
in_vpc() {
  local vpc=$1 account=$ALICE
  shift
  [ "$vpc" = "$vpcB" ] && account=$BOB
  "$XPEER" --account "$account" exec "$vpc" -- "$@"
}
status_of() { xp --account $ALICE --json peering show "$1" | jq -r .Status; }

step "topology: one VPC per account"
vpcA=$(alice vpc create --cidr 172.16.0.0/12)
vpcB=$(bob vpc create --cidr 192.168.0.0/16)
vswA=$(alice vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24)
vswB=$(bob vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24)
alice instance create --vswitch "$vswA" >/dev/null
bob instance create --vswitch "$vswB" >/dev/null

step "request: Peer Accepting, nothing crosses"
expect_refused "a request to a VPC named in the wrong account" InvalidVpcId.NotFound --account $ALICE peering create --vpc "$vpcA" --peer-vpc "$vpcB"
plan=$(alice --dry-run peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-account $BOB)
grep -q "Peer Accepting" <<<"$plan" && pass "dry run describes the request" || fail "dry run printed: $plan"
[ "$(alice --json peering list | jq length)" = 0 ] && pass "dry run created nothing" || fail "dry run created a connection"
pcc=$(alice --client-token req-1 peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-account $BOB)
again=$(alice --client-token req-1 peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-account $BOB 2>/dev/null)
[ "$again" = "$pcc" ] && pass "a retry with the same client token returns $pcc" || fail "retry returned '$again'"
[ "$(status_of "$pcc")" = "Peer Accepting" ] && pass "status Peer Accepting" || fail "status $(status_of "$pcc")"
expires=$(bob --json peering show "$pcc" | jq -r .GmtExpired)
[ "$expires" != null ] && pass "the accepter sees when the request expires ($expires)" || fail "no GmtExpired"
expect_refused "no route through a pending connection" IncorrectStatus.VpcPeer --account $ALICE route add --vpc "$vpcA" --destination 192.168.0.0/16 --next-hop "$pcc"
expect_refused "the requester cannot accept its own request" Forbidden.VpcPeer --account $ALICE peering accept "$pcc"
expect_refused "a third account cannot see it" InvalidVpcPeerId.NotFound --account 2003 peering accept "$pcc"
unreachable "Alice -> Bob while Peer Accepting" "$vpcA" 192.168.1.2

step "accept: Activated once the data plane is programmed"
alice peering wait "$pcc" --status Activated --timeout 20s >"$E2E_TMP/wait.out" 2>&1 &
waiter=$!
E2E_PIDS+=("$waiter")
sleep 0.3
bob peering accept "$pcc" >/dev/null
if wait "$waiter"; then pass "peering wait returned when Bob accepted"; else fail "peering wait failed: $(cat "$E2E_TMP/wait.out")"; fi
alice route add --vpc "$vpcA" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
unreachable "Alice -> Bob with a route at one end only (no propagation)" "$vpcA" 192.168.1.2
bob route add --vpc "$vpcB" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
reachable "Alice -> Bob" "$vpcA" 192.168.1.2
reachable "Bob -> Alice" "$vpcB" 172.16.1.2
if bytes=$(tcp_stream "$vpcA" "$vpcB" 192.168.1.2); then pass "TCP Alice -> Bob: $bytes bytes"; else fail "TCP Alice -> Bob"; fi
statuses=$(bob --json events --peering "$pcc" | jq -r '[.[].Status] | join(",")')
[ "$statuses" = "Creating,Peer Accepting,Updating,Activated" ] && pass "Bob sees every transition: $statuses" || fail "events: $statuses"

step "forced delete by the accepter removes the routes at both ends"
expect_refused "delete with routes" DependencyViolation.RouteEntry --account $BOB peering delete "$pcc"
bob peering delete --force "$pcc" >/dev/null
[ "$(status_of "$pcc")" = Deleted ] && pass "Deleted" || fail "status $(status_of "$pcc")"
[ "$(alice --json route list --vpc "$vpcA" | jq length)" = 0 ] && pass "Alice's route is gone" || fail "Alice's route left"
[ "$(bob --json route list --vpc "$vpcB" | jq length)" = 0 ] && pass "Bob's route is gone" || fail "Bob's route left"
unreachable "Alice -> Bob after the delete" "$vpcA" 192.168.1.2

step "reject"
pcc2=$(alice peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-account $BOB)
bob peering reject "$pcc2" >/dev/null
[ "$(status_of "$pcc2")" = Rejected ] && pass "Rejected" || fail "status $(status_of "$pcc2")"
expect_refused "waiting for Activated on a Rejected connection" IncorrectStatus.VpcPeer --account $ALICE peering wait "$pcc2" --status Activated --timeout 5s
expect_refused "accepting a Rejected connection names its status" IncorrectStatus.VpcPeer --account $BOB peering accept "$pcc2"

step "expiry after seven days (the operator's clock)"
pcc3=$(alice peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-account $BOB)
later=$(($(date +%s) + 7 * 86400 + 60))
[ "$(status_of "$pcc3")" = "Peer Accepting" ] && pass "pending now" || fail "status $(status_of "$pcc3")"
expect_refused "a tenant's --now" Forbidden.Operator --account $BOB --now "$later" peering reject "$pcc3"
status=0
out=$(XPEER_NOW=$later "$XPEER" --account $BOB peering list 2>&1) || status=$?
[ "$status" = 1 ] && grep -q "^error: Forbidden.Operator" <<<"$out" && pass "a tenant's XPEER_NOW: $out" || fail "a tenant's XPEER_NOW: status $status, $out"
[ "$(status_of "$pcc3")" = "Peer Accepting" ] && pass "a tenant's clock expired nothing" || fail "status $(status_of "$pcc3")"
real_before=$(date +%s)
[ "$(XPEER_OPERATOR=1 XPEER_NOW=$later status_of "$pcc3")" = Expired ] && pass "Expired seven days later by the operator's clock" ||
  fail "status $(status_of "$pcc3")"
expect_refused "accepting an Expired request" IncorrectStatus.VpcPeer --account $BOB peering accept "$pcc3"
who=$(bob --json events --peering "$pcc3" | jq -r 'last | .Account')
[ "$who" = system ] && pass "the expiry is recorded as the system's" || fail "expiry recorded by $who"
at=$(bob --json events --peering "$pcc3" | jq -r 'last | .Time | fromdateiso8601')
[ "$at" -ge "$real_before" ] && [ "$at" -le "$(date +%s)" ] && pass "the expiry event carries the real time ($at)" ||
  fail "the expiry event is dated $at, not between $real_before and now"

finish
