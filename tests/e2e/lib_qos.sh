# Sourced after lib.sh, lib_etcd.sh and lib_hosts.sh by what measures link types under congestion
# (tests/e2e/etcd_underlay_qos.sh, tools/bench qos): VPC A on h1 peers with B (Gold) and D
# (Platinum) on h2, in another region, and the underlay's port into h2 carries $QOS_FABRIC Mbit/s
# through a tbf with a 50 ms queue, as a switch port would.
#
#   h1 cn-hangzhou: A 172.16.1.2 --Gold--> h2 cn-shanghai: B 192.168.1.2
#                                --Platinum--> D 10.40.1.2
#   and with a third host:       ------------> h3 cn-hangzhou: A 172.16.2.2 (A's own vSwitch)

QOS_FABRIC=100 # Mbit/s into h2
QOS_PINGS=250  # a probe's pings, one each 20 ms, 1,400 bytes of payload
QOS_FLOOD=()

# qos_start UNDERLAY [HOSTS]: etcd, the hosts (h1's agent with --underlay-bandwidth UNDERLAY; a
# third, h3, if HOSTS is 3), the port into h2, the VPCs and both connections, forwarding.
qos_start() {
  local vsw
  etcd_start_cluster 1
  HOST_REGION[2]=cn-shanghai
  AGENT_ARGS[1]="--underlay-bandwidth $1"
  hosts_start "${2:-2}"
  ip netns exec "$UL" tc qdisc add dev ulb2 root tbf rate "${QOS_FABRIC}mbit" burst 32kb latency 50ms
  vpcA=$(xp vpc create --cidr 172.16.0.0/12 --name vpc-a)
  vpcB=$(xp vpc create --cidr 192.168.0.0/16 --region cn-shanghai --name vpc-b)
  vpcD=$(xp vpc create --cidr 10.40.0.0/16 --region cn-shanghai --name vpc-d)
  vswA=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24 --host h1)
  xp instance create --vswitch "$vswA" --ip 172.16.1.2 >/dev/null
  if [ "${2:-2}" = 3 ]; then  # A's own traffic between hosts: no link type
    vsw=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.2.0/24 --host h3)
    xp instance create --vswitch "$vsw" --ip 172.16.2.2 >/dev/null
  fi
  vsw=$(xp vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24 --host h2)
  xp instance create --vswitch "$vsw" --ip 192.168.1.2 >/dev/null
  vsw=$(xp vswitch create --vpc "$vpcD" --cidr 10.40.1.0/24 --host h2)
  xp instance create --vswitch "$vsw" --ip 10.40.1.2 >/dev/null
  gold=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcB" --peer-region cn-shanghai --bandwidth 500 --link-type Gold)
  platinum=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcD" --peer-region cn-shanghai --bandwidth 500 --link-type Platinum)
  xp route add --vpc "$vpcA" --destination 192.168.0.0/16 --next-hop "$gold" >/dev/null
  xp route add --vpc "$vpcB" --destination 172.16.0.0/12 --next-hop "$gold" >/dev/null
  xp route add --vpc "$vpcA" --destination 10.40.0.0/16 --next-hop "$platinum" >/dev/null
  xp route add --vpc "$vpcD" --destination 172.16.0.0/12 --next-hop "$platinum" >/dev/null
  until_ok "A on h1 -> B on h2 (Gold)" ping_on 1 "$vpcA" 192.168.1.2
  until_ok "A on h1 -> D on h2 (Platinum)" ping_on 1 "$vpcA" 10.40.1.2
  [ "${2:-2}" = 3 ] && until_ok "A on h1 -> A on h3" ping_on 1 "$vpcA" 172.16.2.2
  return 0
}

# qos_underlay_rate I: the rate host I's router polices its underlay at, bytes per second (0: none).
qos_underlay_rate() { on_host "$1" --operator --json maps xp_underlay_qos | jq '.Entries[0].RateBytes'; }

# qos_flood CLASS udp|tcp SECONDS NAME [MBPS]: from A to B (CLASS gold) or D (platinum) for
# SECONDS, in the background (its PIDs added to QOS_FLOOD): UDP offered at MBPS (150) Mbit/s in
# 1400-byte datagrams, or 4 TCP streams. The receiver's iperf3 report: $E2E_TMP/NAME.json.
qos_flood() {
  local port=$((20000 + RANDOM % 20000)) args=(-P 4) vpc=$vpcB dst=192.168.1.2 tries
  [ "$1" = platinum ] && { vpc=$vpcD; dst=10.40.1.2; }
  [ "$2" = udp ] && args=(-u -b "${5:-150}M" -l 1400)
  env $(host_vars 2) "$XPEER" exec "$vpc" -- timeout $(($3 + 25)) iperf3 -s -1 -p "$port" -B "$dst" -J >"$E2E_TMP/$4.json" 2>/dev/null &
  QOS_FLOOD+=($!)
  E2E_PIDS+=($!)
  for ((tries = 0; tries < 50; tries++)); do
    on_host 2 exec "$vpc" -- ss -Hltn "sport = :$port" | grep -q . && break
    sleep 0.1
  done
  "$XPEER" exec "$vpcA" -- timeout $(($3 + 20)) iperf3 -c "$dst" -p "$port" "${args[@]}" -t "$3" >/dev/null 2>&1 &
  QOS_FLOOD+=($!)
  E2E_PIDS+=($!)
}

# qos_flood_wait: every flood started, ended.
qos_flood_wait() {
  [ ${#QOS_FLOOD[@]} -gt 0 ] || return 0 # `wait` alone would wait for etcd and the agents
  wait "${QOS_FLOOD[@]}" 2>/dev/null || true
  QOS_FLOOD=()
}

# qos_report NAME FILTER DEFAULT: a flood receiver's report through jq's FILTER, DEFAULT if it has none.
qos_report() {
  local v=""
  [ -s "$E2E_TMP/$1.json" ] && v=$(jq -r "$2" "$E2E_TMP/$1.json" 2>/dev/null)
  [ -n "$v" ] && [ "$v" != null ] && echo "$v" || echo "$3"
}
# qos_received NAME: what a flood's receiver got, Mbit/s of payload over seconds 2 to 7 (0 if nothing).
qos_received() { qos_report "$1" '[.intervals[2:7][].sum.bits_per_second] | if length > 0 then add / length / 1e6 else 0 end' 0; }
# qos_lost NAME: the percentage of a UDP flood's datagrams lost (100 without a report).
qos_lost() { qos_report "$1" '.end.sum.lost_percent' 100; }
# qos_arrived NAME: the datagrams of a UDP flood that arrived (0 without a report).
qos_arrived() { qos_report "$1" '.end.sum.packets - .end.sum.lost_packets' 0; }

# qos_probe NAME DST: $QOS_PINGS pings from A to DST into $E2E_TMP/NAME.ping, each the size of
# the flood's datagrams (1,428 bytes of IP): a policer that counts bytes lets a small packet
# through where a large one would not fit, and a probe stands for the traffic it measures.
qos_probe() { on_host 1 exec "$vpcA" -- ping -n -s 1400 -i 0.02 -c "$QOS_PINGS" -W 1 "$2" >"$E2E_TMP/$1.ping" 2>&1 || true; }

# qos_stats NAME: "LOSS_PERCENT P50_MS P99_MS" of a probe ("100 - -" if none came back).
qos_stats() {
  grep -o 'time=[0-9.]*' "$E2E_TMP/$1.ping" | cut -d= -f2 | sort -g |
    awk -v sent="$QOS_PINGS" '{ v[NR] = $1 } END { n = NR; if (!n) { print 100, "-", "-"; exit }
           printf "%.1f %.2f %.2f\n", (sent - n) * 100 / sent, v[int((n - 1) * 0.5) + 1], v[int((n - 1) * 0.99) + 1] }'
}

# qos_probe_both NAME: Platinum's and Gold's probes at once, into NAME-platinum and NAME-gold.
qos_probe_both() {
  qos_probe "$1-platinum" 10.40.1.2 &
  local p=$!
  qos_probe "$1-gold" 192.168.1.2
  wait "$p" || true
}
