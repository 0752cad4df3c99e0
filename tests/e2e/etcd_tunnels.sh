#!/usr/bin/env bash
# VPC traffic between hosts: three hosts (each a datapath namespace with its own replica, bpffs
# folder and agent) on one underlay bridge, a store in a three-member etcd. Each host makes only
# its own vSwitches; a peering between VPCs on two hosts forwards IPv4 and IPv6, ICMP, TCP and
# UDP both ways through VXLAN written and taken apart by the router's hook (XDP, or tc ingress,
# where GSO super-packets cross whole), is Activated once every host that carries it programmed
# it, and is counted on every host's stats; the seed's non-transit example holds with its three
# VPCs on three hosts; the underlay takes nothing from an address that is no registered host, nor
# a VNI whose VPC does not own the inner destination.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"
source "$(dirname "$0")/lib_hosts.sh"

step "etcd, and three hosts on one underlay bridge"
etcd_start_cluster 3
hosts_start 3

step "VPC A on h1 and VPC B on h2, peered: each host makes only its own vSwitch"
vpcA=$(xp vpc create --cidr 172.16.0.0/12 --ipv6-cidr fd00:a::/48 --name vpc-a)
vpcB=$(xp vpc create --cidr 192.168.0.0/16 --ipv6-cidr fd00:b::/48 --name vpc-b)
vswA=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24 --ipv6-cidr fd00:a:0:1::/64 --host h1)
vswB=$(xp vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24 --ipv6-cidr fd00:b:0:1::/64 --host h2)
xp instance create --vswitch "$vswA" --ip 172.16.1.2 --ipv6 fd00:a:0:1::2 >/dev/null
xp instance create --vswitch "$vswB" --ip 192.168.1.2 --ipv6 fd00:b:0:1::2 >/dev/null
pcc=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcB")
for dst in 192.168.0.0/16 fd00:b::/48; do xp route add --vpc "$vpcA" --destination "$dst" --next-hop "$pcc" >/dev/null; done
for dst in 172.16.0.0/12 fd00:a::/48; do xp route add --vpc "$vpcB" --destination "$dst" --next-hop "$pcc" >/dev/null; done
activated=$(xp --json events --peering "$pcc" | jq -c '[.[] | select(.Status == "Activated")][0] | [.Reason, .Account]')
[ "$activated" = '["programmed on h1, h2","system"]' ] && pass "$pcc Activated once h1 and h2, which carry it, programmed it" ||
  fail "$pcc Activated: $activated"
[ "$(xp --json vswitch show "$vswB" | jq -r .Host)" = h2 ] && pass "$vswB lives on h2" || fail "$vswB is not on h2"
ip netns list | grep -q "^${RUN_ID}-$vpcB" && fail "h1 made $vpcB's namespace, whose only vSwitch is h2's" ||
  pass "h1 made no namespace for $vpcB"
has_link() { ip -n "$(dp_ns "$1")" link show "xp$(cut -c5-17 <<<"$2")" >/dev/null 2>&1; }  # datapath_ifname()
until_ok "h2's agent made $vswB's link" has_link 2 "$vswB"
has_link 1 "$vswB" && fail "h1 has a link for h2's $vswB" || pass "h1 has no link for $vswB"
has_link 1 "$vswA" && pass "h1 made $vswA's link" || fail "h1 has no link for its own $vswA"

step "A on h1 <-> B on h2, through VXLAN"
until_ok "ping A -> B (IPv4)" ping_ok "$vpcA" -I 172.16.1.2 192.168.1.2
reachable "ping A -> B (IPv6)" "$vpcA" -I fd00:a:0:1::2 fd00:b:0:1::2
ping_on 2 "$vpcB" -I 192.168.1.2 172.16.1.2 && pass "ping B -> A (IPv4), from h2" || fail "ping B -> A (IPv4), from h2"
ping_on 2 "$vpcB" -I fd00:b:0:1::2 fd00:a:0:1::2 && pass "ping B -> A (IPv6), from h2" || fail "ping B -> A (IPv6), from h2"
port=$((20000 + RANDOM % 20000))
env $(host_vars 2) "$XPEER" exec "$vpcB" -- iperf3 -s -1 -p "$port" -B 192.168.1.2 >/dev/null 2>&1 &
E2E_PIDS+=($!)
sleep 0.5
got=$(in_vpc "$vpcA" timeout 20 iperf3 -c 192.168.1.2 -p "$port" -t 1 -J | jq -r '.end.sum_received.bytes // 0')
[ "${got:-0}" -gt 1000000 ] && pass "TCP A -> B: $got bytes in 1 s" || fail "TCP A -> B: $got bytes"
env $(host_vars 2) "$XPEER" exec "$vpcB" -- iperf3 -s -1 -p "$port" -B fd00:b:0:1::2 >/dev/null 2>&1 &
E2E_PIDS+=($!)
sleep 0.5
got=$(in_vpc "$vpcA" timeout 20 iperf3 -c fd00:b:0:1::2 -p "$port" -u -b 20M -l 1200 -t 1 -J | jq -r '.end.sum.packets - .end.sum.lost_packets')
[ "${got:-0}" -gt 1000 ] && pass "UDP A -> B over IPv6: $got datagrams arrived" || fail "UDP A -> B over IPv6: $got datagrams"
sent=$(counter "$pcc" 0 Packets)
[ "${sent:-0}" -gt 0 ] && pass "h1 counts A -> B on $pcc where it sends it: $sent packets" || fail "h1 counted $sent packets A -> B"
delivered=$(verdict_on 2 forward_tunnel_in)
[ "${delivered:-0}" -gt 0 ] && pass "h2 delivered $delivered packets from the underlay" || fail "h2 delivered none from the underlay"
# B -> A leaves from h2 only: h1's kernel never counts it, its stats read what h2's agent published.
b_to_a() { xp --json stats "$pcc" | jq -r '.Links[0].Directions[1].Counters.Packets'; }
b_to_a_h1() { [ "$(b_to_a)" -gt 0 ]; }
until_ok "stats on h1 count B -> A, which only h2 sends: $(b_to_a) packets so far" b_to_a_h1
a_to_b_h2() { [ "$(on_host 2 --json stats "$pcc" | jq -r '.Links[0].Directions[0].Counters.Packets')" -ge "$sent" ]; }
until_ok "stats on h2 count the $sent packets A -> B, which only h1 sends, once h1's agent publishes them" a_to_b_h2

step "a change reaches the hosts it concerns only: h3 carries neither A nor B"
programmed_on() { host_json "$1" | jq -r .ProgrammedRevision; }
h3_before=$(programmed_on h3)
xp route add --vpc "$vpcA" --destination 192.168.200.0/24 --next-hop "$pcc" >/dev/null
committed=$(ETCDCTL_API=3 etcdctl --endpoints "$XPEER_ETCD" get /xpeer/v1/commit -w json | jq .kvs[0].mod_revision)
at_commit() { [ "$(programmed_on "$1")" -ge "$committed" ]; }
until_ok "h1 (A's host) programmed the route, revision $committed" at_commit h1
until_ok "h2 (B's host: A's packets look up B's table) programmed it" at_commit h2
sleep 1
[ "$(programmed_on h3)" = "$h3_before" ] && pass "h3's agent was not woken to follow and report it: still at revision $h3_before" ||
  fail "h3 followed a change that does not concern it: revision $(programmed_on h3), was $h3_before"

step "the seed's non-transit example with its VPCs on three hosts"
vpcC=$(xp vpc create --cidr 10.30.0.0/16 --name vpc-c)
vswC=$(xp vswitch create --vpc "$vpcC" --cidr 10.30.1.0/24 --host h3)
xp instance create --vswitch "$vswC" --ip 10.30.1.2 >/dev/null
pbc=$(xp peering create --vpc "$vpcB" --peer-vpc "$vpcC")
xp route add --vpc "$vpcB" --destination 10.30.0.0/16 --next-hop "$pbc" >/dev/null
xp route add --vpc "$vpcC" --destination 192.168.0.0/16 --next-hop "$pbc" >/dev/null
xp route add --vpc "$vpcA" --destination 10.30.0.0/16 --next-hop "$pcc" >/dev/null  # A tries C through B
xp route add --vpc "$vpcC" --destination 172.16.0.0/12 --next-hop "$pbc" >/dev/null
until_ok "ping B (h2) -> C (h3)" ping_on 2 "$vpcB" -I 192.168.1.2 10.30.1.2
transit=$(verdict_on 1 drop_transit)
unreachable "A (h1) cannot reach C (h3) through B" "$vpcA" -I 172.16.1.2 10.30.1.2
[ "$(verdict_on 1 drop_transit)" -gt "$transit" ] && pass "h1 dropped it as transit, before the underlay" || fail "h1 did not count drop_transit"
ping_on 3 "$vpcC" -I 10.30.1.2 172.16.1.2 && fail "C (h3) reached A (h1) through B" || pass "C (h3) cannot reach A (h1) through B"

step "a peering stays Updating until every host that carries it has programmed it"
kill -STOP "${AGENT_PID[3]}"
pac=$(xp --rollout-wait 1500 peering create --vpc "$vpcA" --peer-vpc "$vpcC" 2>"$E2E_TMP/pac.err")
[ "$(xp --json peering show "$pac" 2>/dev/null | jq -r .Status)" = Updating ] && pass "$pac (A on h1, C on h3) is Updating while h3's agent is stopped" ||
  fail "$pac is $(xp --json peering show "$pac" | jq -r .Status) while h3's agent is stopped"
grep -q "waiting for 1 host to program it" "$E2E_TMP/pac.err" && pass "the command says it waits for a host: $(cat "$E2E_TMP/pac.err")" ||
  fail "the command did not say what it waits for: $(cat "$E2E_TMP/pac.err")"
shown=$(xp --operator peering show "$pac" 2>&1 >/dev/null)
grep -q "waiting for h3 (" <<<"$shown" && pass "peering show names h3 to the operator: $shown" || fail "peering show: $shown"
xp peering show "$pac" 2>&1 >/dev/null | grep -q "h3" && fail "peering show names a host to a tenant" || pass "and no host to a tenant"
expect_fail "no route through an Updating peering" xp route add --vpc "$vpcA" --destination 10.30.0.0/16 --next-hop "$pac"
kill -CONT "${AGENT_PID[3]}"
expect_ok "once h3's agent runs again, $pac becomes Activated" xp peering wait "$pac" --status Activated --timeout 10s
xp peering delete "$pac" >/dev/null

step "the underlay takes nothing from an address that is no host, nor a forged VNI"
# vxlan_send NETNS SRC DST VNI INNER_DST: one VXLAN datagram holding an ICMP echo to INNER_DST.
vxlan_send() {
  ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" <<'EOF'
import socket, struct, sys
src, dst, vni, inner_dst = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    return ~(s + (s >> 16)) & 0xffff
icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"forged"
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0, socket.inet_aton("172.16.1.2"), socket.inet_aton(inner_dst))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
vx = struct.pack("!B3s3sB", 0x08, b"\0\0\0", vni.to_bytes(3, "big"), 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
for _ in range(5):
    s.sendto(vx + eth + ip + icmp, (dst, 4789))
EOF
}
ip -n "$UL" addr add 10.250.0.99/24 dev br0
keyB=$(on_host 2 --operator --json maps xp_routes_v4 | jq -r --arg v "$vpcB" '[.Entries[] | select(.VpcId == $v)][0].VpcKey')
keyA=$(on_host 2 --operator --json maps xp_routes_v4 | jq -r --arg v "$vpcA" '[.Entries[] | select(.VpcId == $v)][0].VpcKey')
before_src=$(verdict_on 2 drop_tunnel_source)
before_vni=$(verdict_on 2 drop_tunnel_vni)
before_in=$(verdict_on 2 forward_tunnel_in)
vxlan_send "$UL" 10.250.0.99 10.250.0.2 "$keyB" 192.168.1.2
[ "$(verdict_on 2 drop_tunnel_source)" -ge $((before_src + 5)) ] && pass "VXLAN from 10.250.0.99 (no host): dropped as drop_tunnel_source" ||
  fail "VXLAN from 10.250.0.99 was not refused"
vxlan_send "$(dp_ns 1)" 10.250.0.1 10.250.0.2 "$keyA" 192.168.1.2
[ "$(verdict_on 2 drop_tunnel_vni)" -ge $((before_vni + 5)) ] && pass "h1 sending VPC A's VNI to B's instance: dropped as drop_tunnel_vni" ||
  fail "a forged VNI was not refused"
[ "$(verdict_on 2 forward_tunnel_in)" = "$before_in" ] && pass "nothing forged was delivered" || fail "a forged packet was delivered"

step "a host's drift check and reconcile leave other hosts' vSwitches alone"
xp --operator check >/dev/null 2>&1 && pass "h1: no drift (it carries A's vSwitch only)" || fail "h1 reports drift: $(xp --operator check 2>&1 | head -5)"
on_host 2 --operator check >/dev/null 2>&1 && pass "h2: no drift" || fail "h2 reports drift: $(on_host 2 --operator check 2>&1 | head -5)"

finish
