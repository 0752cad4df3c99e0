#!/usr/bin/env bash
# Bandwidth across hosts with a VPC on two hosts: VPC A has a vSwitch on h1 and one on h2, VPC B
# one on h3 in another region, and a Gold connection of 40 Mbit/s joins them. Each host polices
# what it sends; the agents of h1 and h2 share the 40 Mbit/s by demand, so that A's traffic from
# both hosts together stays within 5% of it: UDP offered at 60 Mbit/s from each host arrives at
# 40 in all, half each, and a TCP stream from each at 90% at least; a host asking for 8 gets its 8
# and the other the rest; one host alone gets nearly all of it. The agent of a host that sends
# nearly all of it killed with SIGKILL as the other host starts: its router falls back to the
# least part it could be given (half) before the other host grows into the rest, so the total
# stays within 5%; its restarted agent shares by demand again.
#
#   h1 cn-hangzhou: A 172.16.1.2 --+
#                                  +-- pcc Gold 40 Mbit/s -- h3 cn-shanghai: B 192.168.1.2
#   h2 cn-hangzhou: A 172.16.2.2 --+
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"
source "$(dirname "$0")/lib_hosts.sh"

LIMIT=40 # Mbit/s
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# from_a PROTO OFFER1 OFFER2: PROTO (udp or tcp) from A on h1 and on h2 at once, 8 s, each host
# offering OFFERn Mbit/s of UDP payload, or one TCP stream (any OFFERn but 0; 0: the host sends
# nothing). Prints what B received from each, averaged over seconds 4 to 8, once the parts have
# followed the demand: UDP in Mbit/s of IP (the policer's bytes: 1,428 a datagram of 1,400), TCP
# in Mbit/s of payload (what the application gets).
from_a() {
  local proto=$1 i offer port args pids=() clients=()
  local -A ports
  shift
  for i in 1 2; do
    offer=${!i}
    [ "$offer" = 0 ] && continue
    port=$((20000 + RANDOM % 20000))
    on_host 3 exec "$vpcB" -- iperf3 -s -1 -p "$port" -B 192.168.1.2 -J >"$E2E_TMP/$proto-h$i.json" 2>/dev/null &
    pids+=($!)
    E2E_PIDS+=($!)
    ports[$i]=$port
  done
  sleep 0.5
  for i in 1 2; do
    offer=${!i}
    [ "$offer" = 0 ] && continue
    if [ "$proto" = udp ]; then args=(-u -b "${offer}M" -l 1400); else args=(); fi
    on_host "$i" exec "$vpcA" -- timeout 30 iperf3 -c 192.168.1.2 -B "172.16.$i.2" -p "${ports[$i]}" "${args[@]}" -t 8 >/dev/null 2>&1 &
    clients+=($!)
    E2E_PIDS+=($!)
  done
  wait "${clients[@]}" "${pids[@]}" 2>/dev/null || true
  local scale=1
  [ "$proto" = udp ] && scale="1428 / 1400"
  for i in 1 2; do
    offer=${!i}
    if [ "$offer" = 0 ]; then
      echo 0
    else
      jq -r "[.intervals[4:8][].sum.bits_per_second] | add / length / 1e6 * $scale" "$E2E_TMP/$proto-h$i.json"
    fi
  done
}
total() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a + b }'; }
# measure PROTO OFFER1 OFFER2 [LOW]: from_a, into got1 and got2; tried again while the total is
# not within LOW (default 0.95) and 1.05 of the limit (a machine busy elsewhere can starve iperf3
# for a moment; a wrong split misses every time).
measure() {
  local try lo hi
  lo=$(awk -v l=$LIMIT -v f="${4:-0.95}" 'BEGIN { print l * f }')
  hi=$(awk -v l=$LIMIT 'BEGIN { print l * 1.05 }')
  for try in 1 2 3; do
    read -r got1 got2 < <(from_a "$1" "$2" "$3" | paste -sd' ')
    within "$(total "$got1" "$got2")" "$lo" "$hi" && return 0
    echo "# try $try: $got1 + $got2 Mbit/s" >&2
  done
  return 1
}
share_of() { on_host "$1" --operator --json maps xp_link_shares --peering "$pcc" | jq -c '.Entries[] | select(.Direction == "a_to_b")'; }

step "etcd; h1 and h2 in cn-hangzhou, h3 in cn-shanghai"
etcd_start_cluster 3
HOST_REGION[3]=cn-shanghai
hosts_start 3

step "VPC A on h1 and h2, VPC B on h3, a Gold connection of $LIMIT Mbit/s"
vpcA=$(xp vpc create --cidr 172.16.0.0/12 --name vpc-a)
vpcB=$(xp vpc create --cidr 192.168.0.0/16 --region cn-shanghai --name vpc-b)
vswA1=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24 --host h1)
vswA2=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.2.0/24 --host h2)
vswB=$(xp vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24 --host h3)
xp instance create --vswitch "$vswA1" --ip 172.16.1.2 >/dev/null
xp instance create --vswitch "$vswA2" --ip 172.16.2.2 >/dev/null
xp instance create --vswitch "$vswB" --ip 192.168.1.2 >/dev/null
pcc=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-region cn-shanghai --bandwidth $LIMIT --link-type Gold)
xp route add --vpc "$vpcA" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpcB" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
until_ok "A on h1 -> B on h3" ping_on 1 "$vpcA" -I 172.16.1.2 192.168.1.2
until_ok "A on h2 -> B on h3" ping_on 2 "$vpcA" -I 172.16.2.2 192.168.1.2
shared() { [ "$(share_of "$1" | jq -r .Policing)" = RateBytes ]; }
until_ok "h1's router polices its part of A -> B" shared 1
until_ok "h2's router polices its part of A -> B" shared 2
[ -z "$(on_host 3 --operator --json maps xp_link_shares --peering "$pcc" | jq -c '.Entries[]')" ] &&
  pass "h3, B's only host, shares nothing: it polices B -> A at the connection's rate" || fail "h3 has parts"

step "both hosts offer 60 Mbit/s: $LIMIT in all, half each"
measure udp 60 60 && pass "A -> B arrives at $(total "$got1" "$got2") Mbit/s ($got1 from h1, $got2 from h2): $LIMIT +- 5%" ||
  fail "A -> B arrived at $got1 + $got2 Mbit/s"
within "$got1" 16 24 && within "$got2" 16 24 && pass "each host sends about half" || fail "h1 sent $got1, h2 $got2"
[ "$(on_host 1 --operator --json maps xp_link_stats --peering "$pcc" | jq '[.Entries[] | select(.Direction == "a_to_b")][0].DropPolicer')" -gt 0 ] &&
  pass "h1's policer dropped the excess" || fail "no policer drops on h1"

step "a TCP stream from each host: together at least 90% of $LIMIT, at most 105%"
measure tcp 1 1 0.9 && pass "TCP A -> B: $(total "$got1" "$got2") Mbit/s of payload ($got1 from h1, $got2 from h2)" ||
  fail "TCP A -> B: $got1 + $got2 Mbit/s"

step "h2 asks for 8 Mbit/s, h1 for 60: h2 gets its 8, h1 the rest"
measure udp 60 8 && pass "A -> B arrives at $(total "$got1" "$got2") Mbit/s ($got1 from h1, $got2 from h2): $LIMIT +- 5%" ||
  fail "A -> B arrived at $got1 + $got2 Mbit/s"
within "$got2" 7.6 8.6 && pass "h2 got the 8 Mbit/s it asked for ($got2 of IP)" || fail "h2 got $got2"

step "h1 alone: nearly all of it"
measure udp 60 0 && pass "A -> B from h1 alone arrives at $got1 Mbit/s: $LIMIT +- 5% (h2 keeps a floor of 1/64)" ||
  fail "h1 alone got $got1 Mbit/s"
part=$(share_of 1 | jq .RateBytes)
within "$part" $((LIMIT * 125000 * 95 / 100)) $((LIMIT * 125000)) && pass "h1's part: $part bytes/s" || fail "h1's part: $part bytes/s"

step "h2 alone, then its agent killed as h1 starts: h2 falls back before h1 grows into the rest"
measure udp 0 60 && pass "A -> B from h2 alone arrives at $got2 Mbit/s" || fail "h2 alone got $got2 Mbit/s"
kill -9 "${AGENT_PID[2]}"
wait "${AGENT_PID[2]}" 2>/dev/null || true
measure udp 60 60 && pass "with h2's agent dead, A -> B arrives at $(total "$got1" "$got2") Mbit/s ($got1 from h1, $got2 from h2): $LIMIT +- 5%" ||
  fail "with h2's agent dead, A -> B arrived at $got1 + $got2 Mbit/s (h2 kept its part?)"
fell_back=$(share_of 2 | jq -c '[.Policing, .FallbackBytes]')
[ "$fell_back" = '["FallbackBytes",'$((LIMIT * 125000 / 2))']' ] &&
  pass "h2's router, unrenewed, polices at the least part it could be given: half, whatever h1 asks" || fail "h2: $fell_back"

step "h2's agent again: the hosts share by demand again"
agent_start 2
until_ok "h2 holds its lease again" lease_held h2
for ((t = 0; t < 50; t++)); do shared 2 && break; sleep 0.1; done
shared 2 && pass "h2's router polices its part again" || fail "h2: $(share_of 2)"
measure udp 60 8 && within "$got2" 7.6 8.6 && pass "h2 asks for 8 and gets $got2, h1 $got1: $(total "$got1" "$got2") in all" ||
  fail "after the restart: $got1 + $got2 Mbit/s"

finish
