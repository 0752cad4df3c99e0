#!/usr/bin/env bash
# Cross-account and inter-region across hosts, in the seed's billing setting: Customer 1's VPC in
# Hohhot on h1, Customer 2's in Guangzhou on h2 (each the only host of its region), a Gold
# connection of 50 Mbit/s between them. Customer 1 requests on h1 and Customer 2 accepts on h2;
# nothing crosses until it is Activated, once both hosts programmed it; traffic flows both ways
# through VXLAN, policed on the host that sends it; neither customer sees the other's VPC; stats
# on either host sum both hosts' counters; the bill prices what h1 sent at the pair's 0.072
# USD/GB; a forced delete by the accepter removes both ends' routes on both hosts.
#
#   h1 cn-huhehaote: Customer 1 vpc1 172.16.0.0/12 (172.16.1.2)
#       --pcc Gold 50 Mbit/s--
#   h2 cn-guangzhou: Customer 2 vpc2 192.168.0.0/16 (192.168.1.2)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"
source "$(dirname "$0")/lib_hosts.sh"

C1=2001
C2=2002
c1() { xp --account $C1 "$@"; }                # a command of Customer 1's, on h1
c2() { on_host 2 --account $C2 "$@"; }         # of Customer 2's, on h2
# Commands in a VPC run as its owner, on its host.
in_vpc() {
  local vpc=$1
  shift
  if [ "$vpc" = "$vpc2" ]; then on_host 2 --account $C2 exec "$vpc" -- "$@"; else "$XPEER" --account $C1 exec "$vpc" -- "$@"; fi
}
status_of() { c1 --json peering show "$1" | jq -r .Status; }
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
# udp_mbps OFFERED_MBPS: UDP payload Mbit/s that vpc2 got from vpc1 per second, averaged over
# seconds 2 to 4 of a stream (the first drains the bucket's initial burst).
udp_mbps() {
  local port=$((20000 + RANDOM % 20000)) server_json="$E2E_TMP/udp-server.json"
  in_vpc "$vpc2" iperf3 -s -1 -p "$port" -B 192.168.1.2 -J >"$server_json" 2>/dev/null &
  local server=$!
  E2E_PIDS+=("$server")
  sleep 0.5
  in_vpc "$vpc1" timeout 30 iperf3 -c 192.168.1.2 -p "$port" -u -b "$1M" -l 1400 -t 4 >/dev/null
  wait "$server" || true
  jq -r '[.intervals[1:4][].sum.bits_per_second] | add / length / 1e6' "$server_json"
}

step "etcd, h1 in cn-huhehaote and h2 in cn-guangzhou"
etcd_start_cluster 3
HOST_REGION[1]=cn-huhehaote
HOST_REGION[2]=cn-guangzhou
hosts_start 2
[ "$(host_json h2 | jq -r .RegionId)" = cn-guangzhou ] && pass "h2 runs cn-guangzhou" || fail "h2: $(host_json h2)"

step "each customer's VPC on its region's host"
vpc1=$(c1 vpc create --cidr 172.16.0.0/12 --region cn-huhehaote)
vpc2=$(c2 vpc create --cidr 192.168.0.0/16 --region cn-guangzhou)
vsw1=$(c1 vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
vsw2=$(c2 vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
[ "$(c1 --json vswitch show "$vsw1" | jq -r .Host),$(c2 --json vswitch show "$vsw2" | jq -r .Host)" = h1,h2 ] &&
  pass "each vSwitch lives on its region's only host" || fail "vSwitch hosts: $(c1 --json vswitch show "$vsw1" | jq -r .Host)"
c1 instance create --vswitch "$vsw1" --ip 172.16.1.2 >/dev/null
c2 instance create --vswitch "$vsw2" --ip 192.168.1.2 >/dev/null
expect_refused "Customer 2 does not see Customer 1's VPC" InvalidVpcId.NotFound --account $C2 vpc show "$vpc1"
expect_refused "Customer 1's vSwitch on h2, a host of another region" InvalidHost.RegionMismatch \
  --account $C1 vswitch create --vpc "$vpc1" --cidr 172.16.2.0/24 --host h2

step "Customer 1 requests: Peer Accepting, nothing crosses"
pcc=$(c1 peering create --vpc "$vpc1" --peer-vpc "$vpc2" --peer-account $C2 --peer-region cn-guangzhou --bandwidth 50 --link-type Gold)
[ "$(status_of "$pcc")" = "Peer Accepting" ] && pass "$pcc is Peer Accepting" || fail "status $(status_of "$pcc")"
expect_refused "the requester cannot accept its own request" Forbidden.VpcPeer --account $C1 peering accept "$pcc"
expect_refused "a third account does not see it" InvalidVpcPeerId.NotFound --account 2003 peering show "$pcc"
unreachable "Customer 1 -> Customer 2 while Peer Accepting" "$vpc1" 192.168.1.2

step "Customer 2 accepts on h2: Activated once h1 and h2 programmed it"
c2 peering accept "$pcc" >/dev/null
activated() { [ "$(status_of "$pcc")" = Activated ]; }
until_ok "$pcc Activated" activated
reason=$(c2 --json events --peering "$pcc" | jq -r '[.[] | select(.Status == "Activated")][0].Reason')
[ "$reason" = "programmed on h1, h2" ] && pass "Activated once $reason" || fail "Activated: $reason"
shown=$(c2 --json peering show "$pcc" | jq -c '[.LinkType, .Bandwidth, .RegionId, .AcceptingRegionId]')
[ "$shown" = '["Gold",50,"cn-huhehaote","cn-guangzhou"]' ] && pass "Customer 2 sees its link type, bandwidth and regions: $shown" ||
  fail "peering show on h2: $shown"
c1 route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
c2 route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
until_ok "Customer 1 -> Customer 2 (h1 -> h2)" ping_ok "$vpc1" -I 172.16.1.2 192.168.1.2
until_ok "Customer 2 -> Customer 1 (h2 -> h1)" ping_ok "$vpc2" -I 192.168.1.2 172.16.1.2

step "50 Mbit/s, enforced on h1, where Customer 1's traffic is sent"
before=$(c1 --json stats "$pcc" | jq '.Links[0].Directions[0].Counters.DropPolicer')
got=0
for try in 1 2 3; do  # a machine busy elsewhere can starve iperf3 for a moment; a wrong policer misses every time
  got=$(udp_mbps 100)
  within "$got" 47 52.5 && break
done
within "$got" 47 52.5 && pass "UDP offered at 100 Mbit/s arrives at $got Mbit/s (50 +- 5%, of which 98% payload)" ||
  fail "UDP arrived at $got Mbit/s"
dropped=$(($(c1 --json stats "$pcc" | jq '.Links[0].Directions[0].Counters.DropPolicer') - before))
[ "$dropped" -gt 1000 ] && pass "h1 counts the excess as policer drops ($dropped packets)" || fail "policer drops on h1: $dropped"

step "stats on either host sum both; the bill prices what h1 sent"
sent=$(c1 --json stats "$pcc" | jq '.Links[0].Directions[0].Counters.Bytes')
seen_on_h2() { [ "$(c2 --json stats "$pcc" | jq '.Links[0].Directions[0].Counters.Bytes')" -ge "$sent" ]; }
until_ok "stats on h2 count the $sent bytes h1 sent, once h1's agent publishes them" seen_on_h2
billed() { jq '[.Lines[] | select(.From == "'"$vpc1"'") | .GB] | add // 0 | . * 1073741824 | round' <<<"$(c1 --json bill)"; }
all_billed() { [ "$(billed)" = "$sent" ]; }
until_ok "Customer 1's bill holds exactly the $sent bytes VPC1 sent, once h1's agent samples them (h2 adds none)" all_billed
bill=$(c1 --json bill)
bytes=$(billed)
usd=$(jq '.TotalUsd' <<<"$bill")
want=$(awk -v b="$bytes" 'BEGIN { printf "%.9f", b / 1073741824 * 0.072 }')
awk -v a="$usd" -v b="$want" 'BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }' && pass "$bytes bytes at 0.072 USD/GB: $usd USD" ||
  fail "total $usd USD for $bytes bytes, expected $want"
payers=$(c2 --json bill | jq -r '[.Lines[].Payer] | unique | join(",")')
[ "$payers" = "$C2" ] && pass "Customer 2's bill, read on h2, has only its own direction" || fail "Customer 2's bill has payers '$payers'"

step "a forced delete by Customer 2 removes both ends' routes, on both hosts"
expect_refused "a delete with routes" DependencyViolation.RouteEntry --account $C2 peering delete "$pcc"
c2 peering delete --force "$pcc" >/dev/null
[ "$(status_of "$pcc")" = Deleted ] && pass "Deleted" || fail "status $(status_of "$pcc")"
[ "$(c1 --json route list --vpc "$vpc1" | jq length)" = 0 ] && pass "Customer 1's route is gone" || fail "Customer 1's route left"
[ "$(c2 --json route list --vpc "$vpc2" | jq length)" = 0 ] && pass "Customer 2's route is gone, read on h2" || fail "Customer 2's route left"
cut_off() { ! ping_ok "$vpc1" -I 172.16.1.2 192.168.1.2; }
until_ok "Customer 1 -> Customer 2 no longer crosses, once h1 follows the delete" cut_off

finish
