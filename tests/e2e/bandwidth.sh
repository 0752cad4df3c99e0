#!/usr/bin/env bash
# Bandwidth is enforced in XDP: through an inter-region peering limited to 100 Mbit/s, a UDP
# stream offered at 200 Mbit/s arrives at 100 +- 5%, a TCP stream reaches at least 90%, and the
# excess is counted as policer drops. `peering modify --bandwidth` takes effect at once. An
# intra-region connection limited to 50 Mbit/s is held to it too, and unlimited again at -1. The
# bandwidth is of IP packets; iperf3 reports UDP payload, 1400 of every 1428 bytes (98%).
#
#   vpc1 cn-huhehaote 172.16.0.0/12 (172.16.1.2) --pcc 100 Mbit/s-- vpc2 cn-guangzhou 192.168.0.0/16 (192.168.1.2)
#        \--local_pcc 50 Mbit/s, then -1-- vpc3 cn-huhehaote 10.30.0.0/16 (10.30.1.2)
source "$(dirname "$0")/lib.sh"

# udp_mbps FROM TO ADDR OFFERED_MBPS: UDP payload Mbit/s the receiver got per second, averaged
# over seconds 2 to 4 of a stream (the first drains the bucket's initial 250 ms burst).
udp_mbps() {
  local from=$1 to=$2 addr=$3 offered=$4 port=$((20000 + RANDOM % 20000)) server_json="$E2E_TMP/udp-server.json"
  in_vpc "$to" iperf3 -s -1 -p "$port" -B "$addr" -J >"$server_json" 2>/dev/null &
  local server=$!
  E2E_PIDS+=("$server")
  sleep 0.5
  in_vpc "$from" timeout 30 iperf3 -c "$addr" -p "$port" -u -b "${offered}M" -l 1400 -t 4 >/dev/null
  wait "$server" || true
  jq -r '[.intervals[1:4][].sum.bits_per_second] | add / length / 1e6' "$server_json"
}
# tcp_mbps FROM TO ADDR: Mbit/s the receiver got from a 5-second TCP stream (the bucket's
# initial burst adds at most 5% to it).
tcp_mbps() {
  local from=$1 to=$2 addr=$3 port=$((20000 + RANDOM % 20000))
  in_vpc "$to" iperf3 -s -1 -p "$port" -B "$addr" >/dev/null 2>&1 &
  E2E_PIDS+=($!)
  sleep 0.5
  in_vpc "$from" timeout 30 iperf3 -c "$addr" -p "$port" -t 5 -J | jq -r '.end.sum_received.bits_per_second / 1e6'
}
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
# measure_within LO HI COMMAND...: the command's figure, measured again (3 times at most) while it
# is outside [LO, HI]: a host busy with other work can starve iperf3 for a moment, where a wrong
# policer misses every time. The status says whether the last figure is inside.
measure_within() {
  local lo=$1 hi=$2 got try
  shift 2
  for try in 1 2 3; do
    got=$("$@")
    within "$got" "$lo" "$hi" && break
  done
  echo "$got"
  within "$got" "$lo" "$hi"
}

step "topology: two regions, a 100 Mbit/s connection"
vpc1=$(xp vpc create --cidr 172.16.0.0/12 --region cn-huhehaote)
vpc2=$(xp vpc create --cidr 192.168.0.0/16 --region cn-guangzhou)
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
xp instance create --vswitch "$vsw1" >/dev/null
xp instance create --vswitch "$vsw2" >/dev/null
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2" --bandwidth 100)
xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
reachable "vpc1 -> vpc2" "$vpc1" 192.168.1.2

step "UDP above the limit is cut to it"
before=$(counter "$pcc" 0 DropPolicer)
if got=$(measure_within 95 105 udp_mbps "$vpc1" "$vpc2" 192.168.1.2 200); then pass "UDP offered at 200 Mbit/s arrives at $got Mbit/s (100 +- 5%)"; else fail "UDP arrived at $got Mbit/s"; fi
dropped=$(($(counter "$pcc" 0 DropPolicer) - before))
[ "$dropped" -gt 1000 ] && pass "the excess is counted as policer drops ($dropped packets)" || fail "policer drops: $dropped"

step "TCP fills the limit"
if got=$(measure_within 90 106 tcp_mbps "$vpc1" "$vpc2" 192.168.1.2); then pass "TCP reaches $got Mbit/s (at least 90 of 100)"; else fail "TCP reached $got Mbit/s"; fi

step "modify takes effect at once, each direction has its own bucket"
xp peering modify "$pcc" --bandwidth 50 >/dev/null
if got=$(measure_within 47.5 52.5 udp_mbps "$vpc1" "$vpc2" 192.168.1.2 200); then pass "after modify to 50 Mbit/s, UDP arrives at $got Mbit/s"; else fail "after modify, UDP arrived at $got Mbit/s"; fi
if got=$(measure_within 38 42 udp_mbps "$vpc2" "$vpc1" 172.16.1.2 40); then pass "the other direction, offered 40 Mbit/s under its own 50, gets $got"; else fail "reverse got $got Mbit/s"; fi

step "an intra-region connection: unlimited by default, limited when asked, by the same policer"
vpc3=$(xp vpc create --cidr 10.30.0.0/16 --region cn-huhehaote)
vsw3=$(xp vswitch create --vpc "$vpc3" --cidr 10.30.1.0/24)
xp instance create --vswitch "$vsw3" >/dev/null
local_pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc3" --bandwidth 50)
xp route add --vpc "$vpc1" --destination 10.30.0.0/16 --next-hop "$local_pcc" >/dev/null
xp route add --vpc "$vpc3" --destination 172.16.0.0/12 --next-hop "$local_pcc" >/dev/null
if got=$(measure_within 47.5 52.5 udp_mbps "$vpc1" "$vpc3" 10.30.1.2 100); then pass "intra-region at 50 Mbit/s: UDP offered at 100 arrives at $got Mbit/s"; else fail "intra-region UDP arrived at $got Mbit/s"; fi
xp peering modify "$local_pcc" --bandwidth -1 >/dev/null
if got=$(measure_within 95 105 udp_mbps "$vpc1" "$vpc3" 10.30.1.2 100); then pass "back to unlimited (-1): UDP offered at 100 arrives at $got Mbit/s"; else fail "unlimited UDP arrived at $got Mbit/s"; fi

step "bad bandwidths are refused"
expect_refused "zero bandwidth" InvalidBandwidth.Value peering modify "$pcc" --bandwidth 0
expect_refused "above the inter-region quota" QuotaExceeded.CrossRegionBandwidth peering modify "$pcc" --bandwidth 2000
expect_refused "zero within a region" InvalidBandwidth.Value peering modify "$local_pcc" --bandwidth 0

finish
