#!/usr/bin/env bash
# Hosts that share a store in etcd: an agent registers its host under a lease, follows the
# commits that concern it (a change made on another machine reaches this host's kernel) and reports
# the revision it programmed; vSwitches are placed on hosts; a killed agent's host shows as gone
# once its lease expires while its data plane keeps forwarding; bad hosts are refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"

step "etcd, and a datapath namespace with an underlay interface"
etcd_start_cluster 3
ip netns add "$XPEER_DATAPATH_NETNS"
ip -n "$XPEER_DATAPATH_NETNS" link add ul0 mtu 1600 type veth peer name ul1 mtu 1600
ip -n "$XPEER_DATAPATH_NETNS" addr add 10.250.0.1/24 dev ul0
ip -n "$XPEER_DATAPATH_NETNS" addr add 10.250.0.9/24 dev ul1
ip -n "$XPEER_DATAPATH_NETNS" link set ul0 up
ip -n "$XPEER_DATAPATH_NETNS" link set ul1 up
pass "etcd at $XPEER_ETCD; underlay ul0 10.250.0.1 in $XPEER_DATAPATH_NETNS"

host_json() { "$XPEER" --operator --json host list | jq -c --arg h "$1" '.[] | select(.HostName == $h)'; }
start_agent() {
  XPEER_HOST=h1 "$XPEER" agent --underlay ul0 --lease-ttl 2s --metrics-port 0 --interval 1s >>"$E2E_TMP/agent.log" 2>&1 &
  AGENT=$!
  E2E_PIDS+=("$AGENT")
  for ((tries = 0; tries < 100; tries++)); do
    [ "$(host_json h1 | jq -r '.LeaseAlive // false')" = true ] && return 0
    sleep 0.1
  done
  return 1
}

step "an agent registers its host"
start_agent && pass "h1's lease is alive" || { fail "h1 never showed alive"; cat "$E2E_TMP/agent.log" >&2; }
h=$(host_json h1)
[ "$(jq -r .UnderlayAddress <<<"$h")" = 10.250.0.1 ] && [ "$(jq -r .RegionId <<<"$h")" = cn-hangzhou ] &&
  pass "host list: $h" || fail "host list: $h"
expect_refused "a tenant does not see the hosts" Forbidden.Operator host list

step "vSwitches are placed on the region's only host"
vpc1=$(xp vpc create --cidr 172.16.0.0/12 --name vpc1)
vpc2=$(xp vpc create --cidr 192.168.0.0/16 --name vpc2)
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
host=$(xp --json vswitch show "$vsw1" | jq -r .Host)
[ "$host" = h1 ] && pass "$vsw1 lives on h1" || fail "$vsw1 lives on '$host'"
xp instance create --vswitch "$vsw1" --ip 172.16.1.2 >/dev/null
xp instance create --vswitch "$vsw2" --ip 192.168.1.2 >/dev/null
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
unreachable "no route from vpc1 yet" "$vpc1" -I 172.16.1.2 192.168.1.2

step "a change committed on another machine reaches this host through its agent"
on_other_machine route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
committed=$(ETCDCTL_API=3 etcdctl --endpoints "$XPEER_ETCD" get /xpeer/v1/commit -w json | jq .kvs[0].mod_revision)
for ((tries = 0; tries < 50; tries++)); do
  ping_ok "$vpc1" -I 172.16.1.2 192.168.1.2 && break
  sleep 0.1
done
reachable "ping vpc1 -> vpc2 over the route the other machine added" "$vpc1" -I 172.16.1.2 192.168.1.2
for ((tries = 0; tries < 50; tries++)); do
  programmed=$(host_json h1 | jq -r .ProgrammedRevision)
  [ "$programmed" -ge "$committed" ] && break
  sleep 0.1
done
[ "$programmed" -ge "$committed" ] && pass "h1 reports revision $programmed programmed (the route's commit: $committed)" ||
  fail "h1 reports revision $programmed, the commit is $committed"

step "bad hosts are refused, and change nothing"
before=$("$XPEER" --operator --json host list)
# Agents of other machines (each kernel is programmed from its own replica only), with underlay
# addresses in their own datapath namespace: h1's and another.
ip netns add "${RUN_ID}o-dp"  # its replica has no host: it made no vSwitch, and no datapath namespace
ip -n "${RUN_ID}o-dp" link add ul0 mtu 1600 type veth peer name ul1 mtu 1600
ip -n "${RUN_ID}o-dp" link add ul2 type veth peer name ul3
ip -n "${RUN_ID}o-dp" addr add 10.250.0.12/24 dev ul2
ip -n "${RUN_ID}o-dp" link set ul2 up
ip -n "${RUN_ID}o-dp" addr add 10.250.0.1/24 dev ul0
ip -n "${RUN_ID}o-dp" addr add 10.250.0.9/24 dev ul1
ip -n "${RUN_ID}o-dp" link set ul0 up
ip -n "${RUN_ID}o-dp" link set ul1 up
as_other_machine expect_refused "h1 again, with another underlay address" InvalidHost.UnderlayMismatch \
  agent --host h1 --underlay ul1 --metrics-port 0 --ticks 1
as_other_machine expect_refused "h2 with h1's underlay address" InvalidHost.UnderlayInUse \
  agent --host h2 --underlay ul0 --metrics-port 0 --ticks 1
as_other_machine expect_refused "an underlay interface that is not there" InvalidHost.Underlay \
  agent --host h3 --underlay nosuch0 --metrics-port 0 --ticks 1
as_other_machine expect_refused "an underlay whose MTU cannot carry a VPC's 1500-byte frames in VXLAN" InvalidHost.UnderlayMtu \
  agent --host h4 --underlay ul2 --metrics-port 0 --ticks 1
as_other_machine expect_refused "a malformed host name" InvalidHostName.Malformed \
  agent --host H_4 --underlay ul1 --metrics-port 0 --ticks 1
expect_refused "--host without etcd" InvalidParameter.Host --etcd "" agent --host h5 --underlay ul1 --metrics-port 0 --ticks 1
expect_refused "a lease shorter than 2 s" InvalidDuration agent --host h6 --underlay ul1 --lease-ttl 1s --metrics-port 0 --ticks 1
expect_refused "--underlay without --host" InvalidParameter.Host agent --underlay ul1 --metrics-port 0 --ticks 1
expect_refused "a vSwitch on an unknown host" InvalidHost.NotFound vswitch create --vpc "$vpc1" --cidr 172.16.2.0/24 --host h9
vpc3=$(xp vpc create --cidr 10.30.0.0/16 --region cn-beijing)
expect_refused "a vSwitch on a host of another region" InvalidHost.RegionMismatch vswitch create --vpc "$vpc3" --cidr 10.30.1.0/24 --host h1
expect_refused "a VPC whose region has no host" InvalidHost.RegionMismatch vswitch create --vpc "$vpc3" --cidr 10.30.1.0/24
after=$("$XPEER" --operator --json host list)
[ "$(jq -c 'map(.HostName)' <<<"$before")" = "$(jq -c 'map(.HostName)' <<<"$after")" ] && pass "the hosts are as they were" ||
  fail "hosts before: $before; after: $after"
n=$(xp --json vswitch list --vpc "$vpc3" | jq length)
[ "$n" = 0 ] && pass "no vSwitch was made" || fail "$n vSwitches in $vpc3"

step "a killed agent: its host shows as gone once the lease expires, and keeps forwarding"
kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null || true
for ((tries = 0; tries < 60; tries++)); do
  [ "$(host_json h1 | jq -r .LeaseAlive)" = false ] && break
  sleep 0.1
done
[ "$(host_json h1 | jq -r .LeaseAlive)" = false ] && pass "h1's lease expired" || fail "h1 still shows alive"
reachable "ping vpc1 -> vpc2 with no agent" "$vpc1" -I 172.16.1.2 192.168.1.2
n=$(xp --json vswitch list | jq length)
[ "$n" = 2 ] && pass "nothing of h1's VPCs was deleted" || fail "$n vSwitches left"
expect_refused "another host's agent on h1's replica" Config.Mismatch \
  agent --host h7 --underlay ul0 --metrics-port 0 --ticks 1
[ -z "$(host_json h7)" ] && pass "  ... and h7 was not registered" || fail "h7 registered: $(host_json h7)"
start_agent && pass "the agent started again: h1 alive" || fail "h1 did not come back"

finish
