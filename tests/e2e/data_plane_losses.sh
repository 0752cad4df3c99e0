#!/usr/bin/env bash
# Every datagram the data plane loses has a reason in `xpeer --operator stats`: a UDP flood
# (iperf3, 1400-byte datagrams, as fast as one sender goes) from vpc1 to vpc2, then the datagrams
# the receiver found missing (gaps in iperf3's sequence numbers) against the drops counted: the
# router's verdicts, the vSwitch veths' full queues (drop_ingress_queue, drop_egress_queue), and
# what vpc2's socket had no room for (its UDP RcvbufErrors: past the data plane).
#
#   vpc1 172.16.0.0/12 (172.16.1.2) --pcc-- vpc2 192.168.0.0/16 (192.168.1.2)
source "$(dirname "$0")/lib.sh"

step "topology"
peered_pair

drops() { "$XPEER" --operator --json stats | jq '[.Reasons[] | select(.Reason | startswith("drop_")) | .Packets] | add'; }
rcvbuf_errors() {
  in_vpc "$vpc2" cat /proc/net/snmp | awk '/^Udp:/ { if (!n++) { for (i = 1; i <= NF; i++) col[$i] = i } else print $col["RcvbufErrors"] }'
}

step "the router is attached as the mode says (${XPEER_XDP_MODE:-native}), and check agrees"
diffs=$("$XPEER" check 2>&1) && pass "xpeer check: in sync" || fail "xpeer check: $diffs"

step "the new reasons are listed"
for reason in drop_ingress_queue drop_egress_queue; do
  "$XPEER" --operator --json stats | jq -e --arg r "$reason" 'any(.Reasons[]; .Reason == $r)' >/dev/null &&
    pass "stats lists $reason" || fail "stats has no $reason"
done

step "a UDP flood: every missing datagram is counted"
for trial in 1 2; do
  port=$((20000 + RANDOM % 20000))
  drops0=$(drops) socket0=$(rcvbuf_errors)
  in_vpc "$vpc2" iperf3 -s -1 -p "$port" -B 192.168.1.2 -J >"$E2E_TMP/server.json" 2>/dev/null &
  server=$!
  E2E_PIDS+=("$server")
  sleep 0.5
  in_vpc "$vpc1" timeout 30 iperf3 -c 192.168.1.2 -p "$port" -u -b 0 -l 1400 -t 3 >/dev/null 2>&1 || true
  wait "$server" || true
  lost=$(jq -r '.end.sum.lost_packets' "$E2E_TMP/server.json")
  received=$(jq -r '.end.sum.packets - .end.sum.lost_packets' "$E2E_TMP/server.json")
  dropped=$(($(drops) - drops0)) socket=$(($(rcvbuf_errors) - socket0))
  "$XPEER" --operator stats | grep -E '^drop_' | awk '$2 > 0' || true
  if [ "$received" -gt 0 ] && [ $((dropped + socket)) -ge "$lost" ]; then
    pass "trial $trial: $received received, $lost missing; counted: $dropped by the data plane, $socket by vpc2's socket"
  else
    fail "trial $trial: $received received, $lost missing, but only $dropped counted by the data plane and $socket by vpc2's socket"
  fi
done

step "eight TCP streams: what the vSwitch veths dropped is in stats, under its reason"
reason_packets() { "$XPEER" --operator --json stats | jq --arg r "$1" '.Reasons[] | select(.Reason == $r).Packets'; }
# veth_dropped NS PREFIX FIELDS: the kernel's own count (ip -s link), summed over the ends named PREFIX*.
veth_dropped() { ip -n "$1" -s -j link | jq --arg p "$2" "[.[] | select(.ifname | startswith(\$p)) | $3] | add // 0"; }
port=$((20000 + RANDOM % 20000))
in_vpc "$vpc2" iperf3 -s -1 -p "$port" -B 192.168.1.2 >/dev/null 2>&1 &
E2E_PIDS+=($!)
sleep 0.5
retransmits=$(in_vpc "$vpc1" timeout 30 iperf3 -c 192.168.1.2 -p "$port" -P 8 -t 3 -J | jq '.end.sum_sent.retransmits')
ingress=$(($(veth_dropped "$XPEER_NETNS_PREFIX-$vpc1" vs .stats64.tx.dropped) + $(veth_dropped "$XPEER_NETNS_PREFIX-$vpc2" vs .stats64.tx.dropped)))
egress=$(veth_dropped "$XPEER_DATAPATH_NETNS" xp '.stats64.tx.dropped + .stats64.rx.dropped')
[ "$(reason_packets drop_ingress_queue)" = "$ingress" ] &&
  pass "drop_ingress_queue: $ingress, the VPC ends' tx drops ($retransmits segments retransmitted)" ||
  fail "drop_ingress_queue $(reason_packets drop_ingress_queue), but the VPC ends dropped $ingress"
[ "$(reason_packets drop_egress_queue)" = "$egress" ] && pass "drop_egress_queue: $egress, the datapath ends' drops" ||
  fail "drop_egress_queue $(reason_packets drop_egress_queue), but the datapath ends dropped $egress"

finish
