# Sourced by tools/bench: `tools/bench hosts [TRIALS]`, VPC traffic between hosts against the same
# traffic within one host and through the kernel's own VXLAN devices: iperf3 one TCP stream, eight,
# UDP in 1400-byte datagrams and in 64-byte ones (packets per second), IPv4 and IPv6 inside an
# IPv4 underlay. Two hosts are namespaces on one bridge (MTU 1600), each with its datapath
# namespace, agent and a one-member etcd, as tests/e2e/etcd_tunnels.sh makes them.
#
#   same-host     VPC A (h1) --peering-- VPC C (h1): xpeer within one host
#   cross-host    VPC A (h1) --peering-- VPC B (h2): xpeer, VXLAN written and taken apart by the router
#   kernel-vxlan  sender -- router k1 (forwarding, vxlan0) -- the same bridge -- router k2 (vxlan0,
#                 forwarding) -- receiver: the kernel doing the cross-host path's job
#
# HOSTS_XDP_MODE (tc, the default hook) for xpeer; BULK_SECONDS a test (4).

# hosts_kernel_vxlan NAME: NAME-s and NAME-r (sender and receiver, the addresses of the xpeer
# paths' ends), NAME-1 and NAME-2 (routers with a VXLAN device over the underlay bridge).
hosts_kernel_vxlan() {
  local n=$1 i
  for h in s r 1 2; do ip netns add "$n-$h"; ip -n "$n-$h" link set lo up; done
  ip -n "$n-s" link add name eth0 type veth peer name lan netns "$n-1"
  ip -n "$n-r" link add name eth0 type veth peer name lan netns "$n-2"
  ip -n "$n-s" addr add 172.16.1.2/24 dev eth0
  ip -n "$n-s" addr add fd00:a:0:1::2/64 dev eth0 nodad
  ip -n "$n-r" addr add 192.168.1.2/24 dev eth0
  ip -n "$n-r" addr add fd00:b:0:1::2/64 dev eth0 nodad
  ip -n "$n-1" addr add 172.16.1.1/24 dev lan
  ip -n "$n-1" addr add fd00:a:0:1::1/64 dev lan nodad
  ip -n "$n-2" addr add 192.168.1.1/24 dev lan
  ip -n "$n-2" addr add fd00:b:0:1::1/64 dev lan nodad
  for i in 1 2; do
    ip link add "ulk$i" netns "$n-$i" mtu 1600 type veth peer name "ulkb$i" netns "$UL" mtu 1600
    ip -n "$n-$i" addr add "10.250.0.$((10 + i))/24" dev "ulk$i"
    ip -n "$UL" link set "ulkb$i" master br0 up
    ip netns exec "$UL" ethtool -K "ulkb$i" gro on >/dev/null
    ip -n "$n-$i" link set "ulk$i" up
    ip -n "$n-$i" link add vxlan0 type vxlan id 100 local "10.250.0.$((10 + i))" remote "10.250.0.$((13 - i))" dstport 4789 dev "ulk$i"
    ip -n "$n-$i" link set vxlan0 mtu 1500 up
    ip -n "$n-$i" addr add "10.200.0.$i/24" dev vxlan0
    ip -n "$n-$i" addr add "fd00:200::$i/64" dev vxlan0 nodad
    ip -n "$n-$i" link set lan up
    ip netns exec "$n-$i" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  done
  ip -n "$n-1" route add 192.168.1.0/24 via 10.200.0.2
  ip -n "$n-1" route add fd00:b:0:1::/64 via fd00:200::2
  ip -n "$n-2" route add 172.16.1.0/24 via 10.200.0.1
  ip -n "$n-2" route add fd00:a:0:1::/64 via fd00:200::1
  for h in s r; do ip -n "$n-$h" link set eth0 up; done
  ip -n "$n-s" route add default via 172.16.1.1
  ip -n "$n-s" route add default via fd00:a:0:1::1
  ip -n "$n-r" route add default via 192.168.1.1
  ip -n "$n-r" route add default via fd00:b:0:1::1
}

bench_hosts() {
  local trials=${1:-3}
  export XPEER_XDP_MODE=${HOSTS_XDP_MODE:-tc}
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  source "$XPEER_ROOT/tests/e2e/lib_etcd.sh"
  source "$XPEER_ROOT/tests/e2e/lib_hosts.sh"
  etcd_start_cluster 1
  hosts_start 2 >/dev/null
  local vpcA vpcB vpcC vsw k="$RUN_ID-k"
  vpcA=$(xp vpc create --cidr 172.16.0.0/12 --ipv6-cidr fd00:a::/48)
  vpcB=$(xp vpc create --cidr 192.168.0.0/16 --ipv6-cidr fd00:b::/48)
  vpcC=$(xp vpc create --cidr 10.30.0.0/16 --ipv6-cidr fd00:c::/48)
  vsw=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24 --ipv6-cidr fd00:a:0:1::/64 --host h1)
  xp instance create --vswitch "$vsw" --ip 172.16.1.2 --ipv6 fd00:a:0:1::2 >/dev/null
  vsw=$(xp vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24 --ipv6-cidr fd00:b:0:1::/64 --host h2)
  xp instance create --vswitch "$vsw" --ip 192.168.1.2 --ipv6 fd00:b:0:1::2 >/dev/null
  vsw=$(xp vswitch create --vpc "$vpcC" --cidr 10.30.1.0/24 --ipv6-cidr fd00:c:0:1::/64 --host h1)
  xp instance create --vswitch "$vsw" --ip 10.30.1.2 --ipv6 fd00:c:0:1::2 >/dev/null
  local pab pac
  pab=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcB")
  pac=$(xp peering create --vpc "$vpcA" --peer-vpc "$vpcC")
  for dst in 192.168.0.0/16 fd00:b::/48; do xp route add --vpc "$vpcA" --destination "$dst" --next-hop "$pab" >/dev/null; done
  for dst in 172.16.0.0/12 fd00:a::/48; do xp route add --vpc "$vpcB" --destination "$dst" --next-hop "$pab" >/dev/null; done
  for dst in 10.30.0.0/16 fd00:c::/48; do xp route add --vpc "$vpcA" --destination "$dst" --next-hop "$pac" >/dev/null; done
  for dst in 172.16.0.0/12 fd00:a::/48; do xp route add --vpc "$vpcC" --destination "$dst" --next-hop "$pac" >/dev/null; done
  hosts_kernel_vxlan "$k"
  local a="$XPEER_NETNS_PREFIX-$vpcA" b="${RUN_ID}h2-$vpcB" c="$XPEER_NETNS_PREFIX-$vpcC" tries
  for ((tries = 0; tries < 50; tries++)); do ping_raw_ok "$a" 192.168.1.2 && break; sleep 0.1; done
  ping_raw_ok "$a" 192.168.1.2 && ping_raw_ok "$a" 10.30.1.2 && ping_raw_ok "$k-s" 192.168.1.2 ||
    { echo "bench hosts: a path does not forward" >&2; return 1; }

  declare -A from=([same-host]=$a [cross-host]=$a [kernel-vxlan]=$k-s) to=([same-host]=$c [cross-host]=$b [kernel-vxlan]=$k-r)
  local rows="$E2E_TMP/hosts.rows" t family test dst path order=(kernel-vxlan cross-host same-host) i
  : >"$rows"
  for t in $(seq "$trials"); do
    for family in 4 6; do
      for test in tcp1 tcp8 udp udp64; do
        for i in 0 1 2; do
          path=${order[$(((i + t) % 3))]}
          if [ "$path" = same-host ]; then
            [ "$family" = 4 ] && dst=10.30.1.2 || dst=fd00:c:0:1::2
          else
            [ "$family" = 4 ] && dst=192.168.1.2 || dst=fd00:b:0:1::2
          fi
          printf '%s\t%s\t%s\t%s\t%s\n' "$t" "IPv$family" "$test" "$path" \
            "$(bulk_test "${from[$path]}" "${to[$path]}" "$dst" "$test" | tr ' ' '\t')" >>"$rows"
        done
      done
    done
  done
  printf '\nhosts (%s hook): iperf3, %s trials of %s s (the first second left out), median (min-max);\n' "$XPEER_XDP_MODE" "$trials" "$BULK_SECONDS"
  printf 'loss: TCP retransmissions, UDP datagrams lost (%%), median; ratios: median of the trials'"'"' ratios\n'
  bulk_report "$rows" kernel-vxlan
  printf '\nthe same against the same-host path\n'
  bulk_report "$rows" same-host | awk 'NR == 1 || $3 == "cross-host"'
}

ping_raw_ok() { ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
