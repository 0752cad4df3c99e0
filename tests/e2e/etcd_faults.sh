#!/usr/bin/env bash
# Faults among hosts (two hosts on one underlay, a three-member etcd): an agent killed with
# SIGKILL leaves its host forwarding, and the restarted agent resumes from the store without a
# flush and without a lost packet; with every etcd member stopped both hosts forward what they
# were last programmed with and commands fail naming the store, and once etcd is back the agents
# follow changes again without a restart (an instance made and deleted on h1 comes and goes on
# h2); a host whose lease expires shows so in `host list` and
# in `peering show` of the connections it carries, and nothing of its VPCs is deleted.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_etcd.sh"
source "$(dirname "$0")/lib_hosts.sh"
UDP_COUNT="$(dirname "$0")/../../tools/bench.d/udp_count.py"

step "etcd, two hosts, VPC A on h1 peered with VPC B on h2"
etcd_start_cluster 3
hosts_start 2
vpcA=$(xp vpc create --cidr 172.16.0.0/12 --name vpc-a)
vpcB=$(xp vpc create --cidr 192.168.0.0/16 --name vpc-b)
vswA=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24 --host h1)
vswB=$(xp vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24 --host h2)
xp instance create --vswitch "$vswA" --ip 172.16.1.2 >/dev/null
xp instance create --vswitch "$vswB" --ip 192.168.1.2 >/dev/null
pcc=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcB")
xp route add --vpc "$vpcA" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp route add --vpc "$vpcB" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null
until_ok "ping A (h1) -> B (h2)" ping_ok "$vpcA" -I 172.16.1.2 192.168.1.2
# A VPC's namespace on a host, entered by name: `xpeer exec` reads the store, which may be down.
ping_raw() { ip netns exec "$1" ping -c 2 -i 0.2 -W 1 "${@:2}" >/dev/null 2>&1; }
nsA="$XPEER_NETNS_PREFIX-$vpcA"

step "h2's agent killed with SIGKILL: h2 forwards on, and its restarted agent resumes without a flush"
if [ "${XPEER_XDP_MODE:-tc}" = tc ]; then router_pin=xp_router_tc; else router_pin=xp_router; fi
router_h2() { bpftool -j prog show pinned "$XPEER_BPFFS/h2/$router_pin" | jq .id; }
before_router=$(router_h2)
port=$((20000 + RANDOM % 20000))
env $(host_vars 2) "$XPEER" exec "$vpcB" -- python3 "$UDP_COUNT" recv 192.168.1.2 "$port" >"$E2E_TMP/recv.json" &
recv=$!
E2E_PIDS+=("$recv")
sleep 0.5
"$XPEER" exec "$vpcA" -- python3 "$UDP_COUNT" send 192.168.1.2 "$port" 2000 >"$E2E_TMP/send.json" &
send=$!
E2E_PIDS+=("$send")
sleep 1
kill -9 "${AGENT_PID[2]}"
wait "${AGENT_PID[2]}" 2>/dev/null || true
sleep 1
agent_start 2
for ((tries = 0; tries < 50; tries++)); do lease_held h2 && break; sleep 0.1; done
sleep 1
kill -TERM "$send"
wait "$send" || true
sleep 0.5
kill -TERM "$recv"
wait "$recv" || true
sent=$(jq .sent "$E2E_TMP/send.json") received=$(jq .received "$E2E_TMP/recv.json")
[ "$sent" -gt 1000 ] && [ "$received" = "$sent" ] && pass "no packet lost across the kill and the restart: $received of $sent" ||
  fail "sent $sent, received $received (gaps: $(jq -c .gaps "$E2E_TMP/recv.json"))"
[ "$(router_h2)" = "$before_router" ] && pass "h2 runs the same pinned router ($before_router): nothing was flushed or reloaded" ||
  fail "h2's router changed: $before_router -> $(router_h2)"
lease_held h2 && pass "h2 holds a lease again" || fail "h2 holds no lease: $(host_json h2)"

step "every etcd member stopped: both hosts forward their last state, commands fail naming the store"
for i in 0 1 2; do etcd_stop_member "$i"; done
expect_refused "a command with etcd down" Store.Unreachable vpc create --cidr 10.99.0.0/16
ping_raw "$nsA" -I 172.16.1.2 192.168.1.2 && pass "ping A (h1) -> B (h2) with etcd down" || fail "ping A -> B with etcd down"
sleep 3  # longer than the lease: the agents lose theirs, and keep running
kill -0 "${AGENT_PID[1]}" && kill -0 "${AGENT_PID[2]}" && pass "both agents run on" || fail "an agent exited with etcd down"

step "etcd back: the agents follow changes again, without a restart"
for i in 0 1 2; do etcd_start_member "$i"; done
for ((tries = 0; tries < 100; tries++)); do etcd_healthy 0 && break; sleep 0.1; done
inst3=$(xp instance create --vswitch "$vswB" --ip 192.168.1.3)
has_address() { ip -n "${RUN_ID}h2-$vpcB" addr show | grep -q "192.168.1.3/"; }
for ((tries = 0; tries < 100; tries++)); do has_address && break; sleep 0.1; done
has_address && pass "h2's agent made the instance created on h1 after the outage" || fail "h2 did not follow the change"
until_ok "both hosts hold their leases again" hosts_alive 2
until_ok "ping A (h1) -> the new instance on h2" ping_ok "$vpcA" -I 172.16.1.2 192.168.1.3
kill -0 "${AGENT_PID[1]}" && kill -0 "${AGENT_PID[2]}" && pass "by the agents that ran through the outage" || fail "an agent was restarted"
xp instance delete "$inst3" >/dev/null
no_address() { ! has_address; }
until_ok "deleted on h1, the instance's address is gone from h2 too" no_address
unreachable "A (h1) no longer reaches the deleted instance on h2" "$vpcA" -I 172.16.1.2 192.168.1.3

step "h2's lease expires: host list and its peering say so, nothing of its VPCs is deleted"
kill -STOP "${AGENT_PID[2]}"
sleep 3
[ "$(host_json h2 | jq -r .LeaseAlive)" = false ] && pass "host list: h2's lease expired" || fail "host list: $(host_json h2)"
warning=$(xp --operator peering show "$pcc" 2>&1 >/dev/null)
grep -q "carried by h2 whose agent holds no lease" <<<"$warning" && pass "peering show (operator): $warning" || fail "peering show says: $warning"
warning=$(xp peering show "$pcc" 2>&1 >/dev/null)
grep -q "carried by 1 host whose agent holds no lease" <<<"$warning" && pass "peering show (its account): $warning" ||
  fail "peering show (its account) says: $warning"
[ "$(xp --json vswitch show "$vswB" | jq -r .VSwitchId)" = "$vswB" ] && pass "$vswB is still there" || fail "$vswB is gone"
ping_ok "$vpcA" -I 172.16.1.2 192.168.1.2 && pass "and h2 forwards on" || fail "h2 stopped forwarding"
kill -CONT "${AGENT_PID[2]}"
until_ok "h2 holds its lease again once its agent runs" lease_held h2

finish
