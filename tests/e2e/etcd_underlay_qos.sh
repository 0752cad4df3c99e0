#!/usr/bin/env bash
# Link types under congestion (the topology of lib_qos.sh): VPC A on h1 peers with B (Gold) and D
# (Platinum) on h2, in another region. The underlay's port into h2 carries 100 Mbit/s with a 50 ms
# queue; h1's agent is told its underlay may carry 90 (--underlay-bandwidth). A sends B and D
# 60 Mbit/s of UDP each, and pings both: all of Platinum's arrive, its pings quickly, because h1's
# router drops Gold's excess before it can fill the port's queue; Gold gets the rest. h1 counts
# the drops as drop_underlay_full and bills none of them.
#
#   h1 cn-hangzhou: A 172.16.1.2 --Gold--> h2 cn-shanghai: B 192.168.1.2
#                                --Platinum--> D 10.40.1.2
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"
source "$(dirname "$0")/lib_hosts.sh"
source "$(dirname "$0")/lib_qos.sh"

UNDERLAY=90 # Mbit/s h1's agent may send

step "bad input: an underlay bandwidth is a host's"
out=$("$XPEER" agent --underlay-bandwidth 90 --ticks 1 2>&1) && fail "an agent without --host took --underlay-bandwidth" ||
  { echo "$out" | grep -q "InvalidParameter.Host" && pass "without --host: refused ($out)" || fail "without --host: $out"; }
out=$("$XPEER" agent --underlay-bandwidth 90mbit --ticks 1 2>&1) && fail "--underlay-bandwidth 90mbit taken" ||
  { echo "$out" | grep -q "InvalidBandwidth.Malformed" && pass "90mbit: refused, whole Mbps only" || fail "90mbit: $out"; }

step "etcd; h1 in cn-hangzhou (underlay $UNDERLAY Mbit/s), h2 in cn-shanghai; $QOS_FABRIC Mbit/s into h2"
qos_start "$UNDERLAY"
qos=$(on_host 1 --operator --json maps xp_underlay_qos | jq -c '.Entries[0]')
[ "$(jq -c '[.RateBytes, .ReserveBytesByDscp["46"], .ReserveBytesByDscp["10"] < .ReserveBytesByDscp.Other]' <<<"$qos")" = \
  "[$((UNDERLAY * 125000)),0,true]" ] && pass "h1's router polices its underlay at $UNDERLAY Mbit/s, Platinum first: $qos" ||
  fail "xp_underlay_qos on h1: $qos"
[ "$(qos_underlay_rate 2)" = 0 ] && pass "h2's agent gave no underlay bandwidth: not policed" || fail "h2 polices its underlay"

step "A sends B (Gold) and D (Platinum) 60 Mbit/s each, and pings both"
before_full=$(verdict_on 1 drop_underlay_full)
gold_sent() { on_host 1 --operator --json maps xp_link_stats --peering "$gold" | jq '[.Entries[] | select(.Direction == "a_to_b")][0].Packets'; }
billed_before=$(gold_sent)
qos_flood gold udp 8 gold 60
qos_flood platinum udp 8 platinum 60
sleep 1.5
qos_probe_both load
qos_flood_wait
read -r ploss p50 p99 < <(qos_stats load-platinum)
read -r gloss g50 g99 < <(qos_stats load-gold)
plost=$(qos_lost platinum)
glost=$(qos_lost gold)
echo "# pings: Platinum loss $ploss%, RTT p50 $p50 ms, p99 $p99 ms; Gold loss $gloss%, p50 $g50 ms, p99 $g99 ms" >&2
echo "# floods: Platinum $(qos_received platinum) Mbit/s, $plost% lost; Gold $(qos_received gold) Mbit/s, $glost% lost" >&2
awk -v l="$plost" 'BEGIN { exit !(l <= 2) }' && pass "Platinum's 60 Mbit/s arrive: $plost% lost" || fail "Platinum's flood lost $plost%"
awk -v l="$glost" 'BEGIN { exit !(l >= 30 && l <= 70) }' && pass "Gold gets what is left of $UNDERLAY: $glost% of its 60 lost" ||
  fail "Gold's flood lost $glost%"
awk -v l="$ploss" 'BEGIN { exit !(l <= 2) }' && pass "Platinum's pings arrive: $ploss% lost" || fail "Platinum lost $ploss% of its pings"
[ "$p50" != - ] && awk -v p="$p50" 'BEGIN { exit !(p < 20) }' &&
  pass "Platinum's median round trip $p50 ms: no queue of the port's 50 ms before it" || fail "Platinum's median round trip $p50 ms"
full=$(($(verdict_on 1 drop_underlay_full) - before_full))
billed=$(($(gold_sent) - billed_before))
arrived=$(qos_arrived gold)
[ "$full" -gt 1000 ] && pass "h1 counted $full frames as drop_underlay_full" || fail "drop_underlay_full grew by $full"
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
within "$billed" "$arrived" $((arrived + 1000)) && pass "billed on the Gold link: $billed packets, $arrived of its flood's arrived" ||
  fail "billed $billed packets, $arrived arrived"

finish
