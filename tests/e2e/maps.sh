#!/usr/bin/env bash
# `xpeer maps`: the pinned maps decoded with the store's ids, a VPC's or a peering connection's
# entries for its owner, the whole maps for the operator only, and refusals named as elsewhere.
#
#   vpc1 172.16.0.0/12 (vsw 172.16.1.0/24) --pcc-- vpc2 192.168.0.0/16 (vsw 192.168.1.0/24)
source "$(dirname "$0")/lib.sh"

OTHER=$((XPEER_ACCOUNT + 1))

step "topology"
peered_pair

step "a VPC's routes: CIDRs, kinds and targets by id"
routes=$(xp --json maps xp_routes_v4 --vpc "$vpc1")
jq -e --arg pcc "$pcc" '.Entries | any(.Cidr == "192.168.0.0/16" and .Kind == "peering" and .Target == $pcc)' <<<"$routes" >/dev/null &&
  pass "192.168.0.0/16 through $pcc" || fail "no route through the peering: $routes"
jq -e --arg vsw "$vsw1" '.Entries | any(.Cidr == "172.16.1.0/24" and .Kind == "vswitch" and .Target == $vsw)' <<<"$routes" >/dev/null &&
  pass "172.16.1.0/24 to $vsw1" || fail "no system route: $routes"
jq -e --arg vpc "$vpc1" '(.Entries | length) > 0 and (.Entries | all(.VpcId == $vpc))' <<<"$routes" >/dev/null &&
  pass "only $vpc1's entries ($(jq '.Entries | length' <<<"$routes"))" || fail "entries of other VPCs: $routes"
text=$(xp maps xp_routes_v4 --vpc "$vpc1")
grep -q "192.168.0.0/16 *peering *$pcc" <<<"$text" && pass "the table says so too" || fail "table: $text"

step "a peering connection's link counters show a ping"
packets() { xp --json maps xp_link_stats --peering "$pcc" | jq -r ".Entries[] | select(.Direction == \"$1\") | .Packets"; }
before=$(packets a_to_b)
reachable "vpc1 -> vpc2" "$vpc1" 192.168.1.2
after=$(packets a_to_b)
replies=$(packets b_to_a)
[ "$((after - before))" = 2 ] && [ "$replies" -ge 2 ] && pass "a_to_b $before -> $after packets, b_to_a $replies" ||
  fail "a_to_b $before -> $after, b_to_a $replies"
[ "$after" = "$(counter "$pcc" 0 Packets)" ] && pass "the same count as xpeer stats" || fail "stats says $(counter "$pcc" 0 Packets)"

step "what a tenant may not read"
hidden=$("$XPEER" --account "$OTHER" maps xp_routes_v4 --vpc "$vpc1" 2>&1 || true)
absent=$("$XPEER" --account "$OTHER" vpc show "$vpc1" 2>&1 || true)
[ "$hidden" = "$absent" ] && pass "another account's VPC: the answer of a VPC that is not there ($hidden)" ||
  fail "another account's VPC: '$hidden', vpc show: '$absent'"
expect_refused "another account's peering connection" InvalidVpcPeerId.NotFound --account "$OTHER" maps xp_link_stats --peering "$pcc"
expect_refused "the whole maps" Forbidden.Operator maps
expect_refused "a router-wide map" Forbidden.Operator maps xp_verdicts --vpc "$vpc1"
expect_refused "an unknown map" InvalidMapName.NotFound maps xp_nope --vpc "$vpc1"

step "the operator: every map, each a pin, none dumped whole"
all=$(xp --operator --json maps)
[ "$(jq length <<<"$all")" -ge 12 ] && pass "$(jq length <<<"$all") maps" || fail "maps: $all"
missing=$(jq -r '.[].Path' <<<"$all" | while read -r pin; do [ -e "$pin" ] || echo "$pin"; done)
[ -z "$missing" ] && pass "every path is pinned" || fail "not pinned: $missing"
jq -e '.[] | select(.Name == "xp_peerings") | .Used == 1 and .MaxEntries == 65536' <<<"$all" >/dev/null &&
  pass "xp_peerings: 1 of 65536 slots used" || fail "xp_peerings: $(jq -c '.[] | select(.Name == "xp_peerings")' <<<"$all")"
verdicts=$(xp --operator --json maps xp_verdicts)
jq -e '.Entries | any(.Counter == "forward_peering" and .Packets >= 4)' <<<"$verdicts" >/dev/null &&
  pass "verdicts by name" || fail "verdicts: $verdicts"
jq -e '.Entries | any(.Counter == "compiled_lookup" and .Packets >= 4) and any(.Counter == "tries_lookup")' <<<"$verdicts" >/dev/null &&
  pass "packets by the lookup that decided them: the compiled lookups, the tries" || fail "lookups: $verdicts"
expect_ok "reading changed nothing: check is clean" "$XPEER" check

finish
