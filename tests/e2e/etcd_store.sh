#!/usr/bin/env bash
# The store in a three-member etcd cluster (--etcd): the same commands and data plane as with
# SQLite; a second replica (another machine's) sees every change; commands from both
# at once all land, each once; one member stopped changes nothing; all stopped, commands fail
# naming the store and change nothing, while the data plane keeps forwarding; back, it goes on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"

step "a three-member etcd cluster on loopback"
etcd_start_cluster 3
pass "etcd at $XPEER_ETCD"
on_other() { on_other_machine "$@"; }

step "two peered VPCs, their state in etcd"
vpc1=$(xp vpc create --cidr 172.16.0.0/12 --ipv6-cidr fd00:3f00::/56 --name vpc1)
vpc2=$(xp vpc create --cidr 192.168.0.0/16 --name vpc2)
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24 --ipv6-cidr fd00:3f00:0:1::/64)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
xp instance create --vswitch "$vsw1" --ip 172.16.1.2 >/dev/null
xp instance create --vswitch "$vsw2" --ip 192.168.1.2 >/dev/null
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
reachable "ping vpc1 -> vpc2" "$vpc1" -I 172.16.1.2 192.168.1.2
reachable "ping vpc2 -> vpc1" "$vpc2" -I 192.168.1.2 172.16.1.2
n=$(etcd_keys /xpeer/v1/rows/vpcs/)
[ "$n" = 2 ] && pass "etcd holds the 2 VPCs' rows" || fail "etcd holds $n VPC rows"
n=$(etcd_keys /xpeer/v1/rows/routes/)
[ "$n" = 2 ] && pass "etcd holds the 2 route entries" || fail "etcd holds $n route rows"
n=$(etcd_keys /xpeer/v1/rows/settings/)
bound=$(ETCDCTL_API=3 etcdctl --endpoints "$XPEER_ETCD" get --prefix /xpeer/v1/rows/settings/ --keys-only | grep -c -e bpffs -e netns || true)
[ "$bound" = 0 ] && pass "no host-bound setting in etcd ($n settings there)" || fail "$bound host-bound settings in etcd"

step "another replica sees the same state"
ids_here=$(xp --json vpc list | jq -r '.[].VpcId' | sort | tr '\n' ' ')
ids_there=$(on_other --json vpc list | jq -r '.[].VpcId' | sort | tr '\n' ' ')
[ "$ids_here" = "$ids_there" ] && pass "both list $ids_here" || fail "here: $ids_here; there: $ids_there"
status=$(on_other --json peering show "$pcc" | jq -r .Status)
[ "$status" = Activated ] && pass "the other replica sees the peering Activated" || fail "it sees $status"
on_other vpc modify "$vpc2" --name renamed-there >/dev/null
name=$(xp --json vpc show "$vpc2" | jq -r .VpcName)
[ "$name" = renamed-there ] && pass "a change made through the other replica shows here" || fail "the name here is $name"

step "commands from both replicas at once: each lands once"
creates=()
for i in 1 2 3 4; do
  xp vpc create --cidr "10.$i.0.0/16" --name "here-$i" >"$E2E_TMP/here-$i.out" 2>&1 &
  creates+=("$!")
  on_other vpc create --cidr "10.$((i + 10)).0.0/16" --name "there-$i" >"$E2E_TMP/there-$i.out" 2>&1 &
  creates+=("$!")
done
failed=0
for job in "${creates[@]}"; do wait "$job" || failed=$((failed + 1)); done
[ "$failed" = 0 ] && pass "8 concurrent creates succeeded" || { fail "$failed of 8 concurrent creates failed"; cat "$E2E_TMP"/here-*.out "$E2E_TMP"/there-*.out >&2; }
count=$(xp --json vpc list | jq 'length')
keys=$(xp --json --operator vpc list | jq -r '[.[].VpcId] | unique | length')
[ "$count" = 10 ] && [ "$keys" = 10 ] && pass "10 VPCs, 10 distinct ids" || fail "$count VPCs, $keys distinct ids"
n=$(on_other --json vpc list | jq 'length')
[ "$n" = 10 ] && pass "the other replica lists 10 too" || fail "the other replica lists $n"

step "one member of three stopped: nothing changes for commands"
etcd_stop_member 0
expect_ok "route add with a member down" xp route add --vpc "$vpc1" --destination 192.168.200.0/24 --next-hop "$pcc"
n=$(on_other --json route list --vpc "$vpc1" | jq 'length')
[ "$n" -ge 2 ] && pass "the other replica sees $n routes of vpc1" || fail "the other replica sees $n routes"
reachable "ping vpc1 -> vpc2 with a member down" "$vpc1" -I 172.16.1.2 192.168.1.2

step "every member stopped: commands fail naming the store, the data plane forwards"
etcd_stop_member 1
etcd_stop_member 2
expect_refused "vpc create with etcd down" Store.Unreachable vpc create --cidr 10.99.0.0/16
out=$("$XPEER" vpc list 2>&1) && fail "vpc list with etcd down succeeded" || {
  case "$out" in *127.0.0.1*) pass "the error names the store: ${out:0:120}" ;; *) fail "the error does not name the store: $out" ;; esac
}
# `xpeer exec` reads the store to find a VPC's namespace; with etcd down, enter it by name.
if ip netns exec "$XPEER_NETNS_PREFIX-$vpc1" ping -c 2 -i 0.2 -W 1 -I 172.16.1.2 192.168.1.2 >/dev/null 2>&1; then
  pass "ping vpc1 -> vpc2 with etcd down"
else
  fail "ping vpc1 -> vpc2 with etcd down"
fi

step "etcd back: commands go on, and the failed create left nothing"
for i in 0 1 2; do etcd_start_member "$i"; done
for ((tries = 0; tries < 100; tries++)); do etcd_healthy 0 && break; sleep 0.1; done
count=$(xp --json vpc list | jq 'length')
[ "$count" = 10 ] && pass "still 10 VPCs" || fail "$count VPCs"
expect_ok "vpc create after the outage" xp vpc create --cidr 10.99.0.0/16
reachable "ping vpc2 -> vpc1 after the outage" "$vpc2" -I 192.168.1.2 172.16.1.2

step "bad input: an unreachable or malformed etcd"
before=$(xp --json vpc list | jq 'length')
expect_refused "an etcd nothing listens on" Store.Unreachable --etcd http://127.0.0.1:1 vpc create --cidr 10.98.0.0/16
expect_refused "an etcd URL that is not http://HOST:PORT" Store.Unreachable --etcd ftp://127.0.0.1 vpc list
after=$(xp --json vpc list | jq 'length')
[ "$before" = "$after" ] && pass "nothing changed ($after VPCs)" || fail "$before VPCs before, $after after"

finish
