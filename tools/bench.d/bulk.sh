# Sourced by tools/bench: `tools/bench bulk [TRIALS]`, bulk traffic between two VPCs with iperf3:
# one TCP stream, eight (-P 8), and UDP at full speed in 1400-byte datagrams, IPv4 and IPv6, over
# each path below. Each trial runs every path once for each test, in an order that turns from
# trial to trial, so that a path's ratio to the kernel compares runs seconds apart.
#
#   sender 172.16.1.2 fd00:3f00:0:1::2 --veth-- [the path] --veth-- receiver 192.168.1.2 fd00:4000:0:1::2
#
#   kernel        a router namespace: the kernel forwards (GRO on, as bench_datapath's)
#   xpeer-MODE    two peered VPCs through xpeer attached with --xdp-mode MODE (BULK_XPEER_MODES,
#                 default "native tc"); MODE-csum-off: and the VPC ends' tx checksum offload off
#   tc-peer       a bare tc ingress program on each middle veth, bpf_redirect_peer into the other
#                 veth's peer; nothing on the end veths (bpf/bulk_fwd.bpf.c)
#   tc-redirect   the same with bpf_redirect: out through the other middle veth
#   xdp-frags     a bare multi-buffer XDP redirect (xdp.frags) on each middle veth, an xdp.frags
#                 XDP_PASS on each end veth, tx checksum offload off on the ends (as xpeer's XDP needs)
#
# BULK_SECONDS (4) a test, after a first second left out (slow start); BULK_PATHS to run fewer;
# BULK_ROWS_OUT=FILE keeps every trial's figures.
# Besides the table: the offloads `ethtool -k` shows on each path's veth ends.

BULK_SECONDS=${BULK_SECONDS:-4}

# bulk_in WHERE COMMAND...: in an xpeer VPC (vpc-...) or in one of the bench's own namespaces.
bulk_in() {
  local where=$1
  shift
  if [[ $where == vpc-* ]]; then "$XPEER" exec "$where" -- "$@"; else ip netns exec "$where" "$@"; fi
}

# bulk_test FROM TO ADDR TEST: "Mbit/s LOSS": for TCP the receiver's rate and the sender's
# retransmissions, for UDP the receiver's rate and the datagrams lost (percent).
bulk_test() {
  local from=$1 to=$2 addr=$3 test=$4 port=$((20000 + RANDOM % 20000)) server client args=()
  server="$E2E_TMP/bulk-server.json" client="$E2E_TMP/bulk-client.json"
  case $test in
    tcp1) ;;
    tcp8) args=(-P 8) ;;
    udp) args=(-u -b 0 -l 1400) ;;
    udp64) args=(-u -b 0 -l 64) ;;
  esac
  bulk_in "$to" iperf3 -s -1 -p "$port" -B "$addr" -J >"$server" 2>/dev/null &
  local pid=$!
  E2E_PIDS+=("$pid")
  sleep 0.3
  bulk_in "$from" timeout $((BULK_SECONDS + 20)) iperf3 -c "$addr" -p "$port" -t "$BULK_SECONDS" -O 1 -J "${args[@]}" >"$client" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$test" = udp64 ]; then  # packets a second the receiver got
    jq -r '"\([.intervals[1:][].sum | .packets / .seconds] | add / length) \(.end.sum.lost_percent // 100)"' "$server" 2>/dev/null || echo "0 100"
  elif [ "$test" = udp ]; then
    jq -r '"\([.intervals[1:][].sum.bits_per_second] | add / length / 1e6) \(.end.sum.lost_percent // 100)"' "$server" 2>/dev/null || echo "0 100"
  else
    jq -r '"\(.end.sum_received.bits_per_second / 1e6) \(.end.sum_sent.retransmits)"' "$client" 2>/dev/null || echo "0 -1"
  fi
}

bulk_mac() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'; }
bulk_ifindex() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].ifindex'; }

# bulk_ends NAME: namespaces NAME-s (sender, eth0), NAME-m (middle: mids facing the sender, midr
# facing the receiver), NAME-r (receiver, eth0).
bulk_ends() {
  local n=$1 h
  for h in s m r; do ip netns add "$n-$h"; ip -n "$n-$h" link set lo up; done
  ip -n "$n-s" link add name eth0 type veth peer name mids netns "$n-m"
  ip -n "$n-r" link add name eth0 type veth peer name midr netns "$n-m"
  ip -n "$n-s" addr add 172.16.1.2/24 dev eth0
  ip -n "$n-s" -6 addr add fd00:3f00:0:1::2/64 dev eth0 nodad
  ip -n "$n-r" addr add 192.168.1.2/24 dev eth0
  ip -n "$n-r" -6 addr add fd00:4000:0:1::2/64 dev eth0 nodad
  for h in s r; do ip -n "$n-$h" link set dev eth0 up; done
  ip -n "$n-m" link set dev mids up
  ip -n "$n-m" link set dev midr up
}

# bulk_gateways NAME PERMANENT: default routes of both ends through their middle veth; with
# PERMANENT, permanent neighbour entries for the gateways (no one in the middle answers ARP or ND).
bulk_gateways() {
  local n=$1 end gw gw6 mid
  for end in s r; do
    if [ "$end" = s ]; then gw=172.16.1.1 gw6=fd00:3f00:0:1::1 mid=mids; else gw=192.168.1.1 gw6=fd00:4000:0:1::1 mid=midr; fi
    if [ "$2" = 1 ]; then
      ip -n "$n-$end" neigh add "$gw" lladdr "$(bulk_mac "$n-m" "$mid")" dev eth0 nud permanent
      ip -n "$n-$end" -6 neigh add "$gw6" lladdr "$(bulk_mac "$n-m" "$mid")" dev eth0 nud permanent
    fi
    ip -n "$n-$end" route add default via "$gw" dev eth0 onlink
    ip -n "$n-$end" -6 route add default via "$gw6" dev eth0 onlink
  done
}

bulk_kernel() {
  local n=$1
  bulk_ends "$n"
  ip netns exec "$n-m" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  ip -n "$n-m" addr add 172.16.1.1/24 dev mids
  ip -n "$n-m" addr add 192.168.1.1/24 dev midr
  ip -n "$n-m" -6 addr add fd00:3f00:0:1::1/64 dev mids nodad
  ip -n "$n-m" -6 addr add fd00:4000:0:1::1/64 dev midr nodad
  for i in mids midr; do ip netns exec "$n-m" ethtool -K "$i" gro on >/dev/null 2>&1 || true; done
  bulk_gateways "$n" 0
}

# bulk_port NAME IN OUT: bf_ports[IN] = OUT and the MACs of a frame that leaves through OUT.
bulk_port() {
  local n=$1 in=$2 out=$3 peer hex
  peer=$([ "$out" = mids ] && echo s || echo r)
  hex() { tr ':' ' ' <<<"$1"; }
  le32() { printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
  bpftool map update pinned "$BULK_PINS/$n/bf_ports" key hex $(le32 "$(bulk_ifindex "$n-m" "$in")") \
    value hex $(le32 "$(bulk_ifindex "$n-m" "$out")") $(hex "$(bulk_mac "$n-m" "$out")") $(hex "$(bulk_mac "$n-$peer" eth0)")
}

# bulk_load NAME: bpf/bulk_fwd.bpf.o's programs and its map, pinned under $BULK_PINS/NAME.
bulk_load() {
  mkdir -p "$BULK_PINS/$1"
  bpftool prog loadall "$XPEER_BUILD/bpf/bulk_fwd.bpf.o" "$BULK_PINS/$1" pinmaps "$BULK_PINS/$1"
  bulk_port "$1" mids midr
  bulk_port "$1" midr mids
}

# bulk_tc NAME PROGRAM: PROGRAM of bulk_fwd.bpf.o on tc ingress of both middle veths.
bulk_tc() {
  local n=$1 i
  bulk_ends "$n"
  bulk_gateways "$n" 1
  bulk_load "$n"
  for i in mids midr; do
    nsenter --net="/run/netns/$n-m" tc qdisc add dev "$i" clsact
    nsenter --net="/run/netns/$n-m" tc filter add dev "$i" ingress bpf da object-pinned "$BULK_PINS/$n/$2"
  done
}

bulk_xdp_frags() {
  local n=$1 i
  bulk_ends "$n"
  bulk_gateways "$n" 1
  bulk_load "$n"
  for i in mids midr; do nsenter --net="/run/netns/$n-m" ip link set dev "$i" xdpdrv pinned "$BULK_PINS/$n/bf_xdp_frags"; done
  for i in s r; do
    nsenter --net="/run/netns/$n-$i" ip link set dev eth0 xdpdrv pinned "$BULK_PINS/$n/bf_xdp_frags_pass"
    ip netns exec "$n-$i" ethtool -K eth0 tx off >/dev/null
  done
}

# bulk_xpeer MODE PATH: two peered VPCs (one region: no policer) attached with --xdp-mode MODE
# (MODE-csum-off: then tx checksum offload turned off on both VPC ends); sets BULK_FROM[PATH] and
# BULK_TO[PATH] to the VPCs, BULK_FEATURES_AT[PATH] to the veth ends.
bulk_xpeer() {
  local mode=${1%-csum-off} vpc1 vpc2 vsw1 vsw2 pcc
  vpc1=$(XPEER_XDP_MODE=$mode xp vpc create --cidr 172.16.0.0/12 --ipv6-cidr fd00:3f00::/56)
  vpc2=$(XPEER_XDP_MODE=$mode xp vpc create --cidr 192.168.0.0/16 --ipv6-cidr fd00:4000::/56)
  vsw1=$(XPEER_XDP_MODE=$mode xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24 --ipv6-cidr fd00:3f00:0:1::/64)
  vsw2=$(XPEER_XDP_MODE=$mode xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24 --ipv6-cidr fd00:4000:0:1::/64)
  xp instance create --vswitch "$vsw1" --ip 172.16.1.2 --ipv6 fd00:3f00:0:1::2 >/dev/null
  xp instance create --vswitch "$vsw2" --ip 192.168.1.2 --ipv6 fd00:4000:0:1::2 >/dev/null
  pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
  local dst
  for dst in 192.168.0.0/16 fd00:4000::/56; do xp route add --vpc "$vpc1" --destination "$dst" --next-hop "$pcc" >/dev/null; done
  for dst in 172.16.0.0/12 fd00:3f00::/56; do xp route add --vpc "$vpc2" --destination "$dst" --next-hop "$pcc" >/dev/null; done
  BULK_FROM[$2]=$vpc1 BULK_TO[$2]=$vpc2
  local v1if="vs${vsw1#vsw-}" v2if="vs${vsw2#vsw-}" dpif="xp${vsw1#vsw-}"
  BULK_FEATURES_AT[$2]="$XPEER_NETNS_PREFIX-$vpc1/${v1if:0:15} $XPEER_DATAPATH_NETNS/${dpif:0:15} $XPEER_NETNS_PREFIX-$vpc2/${v2if:0:15}"
  if [ "$mode" != "$1" ]; then
    ip netns exec "$XPEER_NETNS_PREFIX-$vpc1" ethtool -K "${v1if:0:15}" tx off >/dev/null
    ip netns exec "$XPEER_NETNS_PREFIX-$vpc2" ethtool -K "${v2if:0:15}" tx off >/dev/null
  fi
}

# bulk_features PATH: the offloads of its sender's veth, the middle end facing it, and the receiver's.
bulk_features() {
  local at ns ifname
  for at in ${BULK_FEATURES_AT[$1]}; do
    ns=${at%/*} ifname=${at#*/}
    printf '%-12s %-16s %s\n' "$1" "$ifname" "$(ip netns exec "$ns" ethtool -k "$ifname" |
      awk -F': ' '/^(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):/ {
        sub(/tx-checksumming/, "tx-csum", $1); sub(/tcp-segmentation-offload/, "tso", $1)
        sub(/generic-segmentation-offload/, "gso", $1); sub(/generic-receive-offload/, "gro", $1)
        printf "%s %s  ", $1, $2 }')"
  done
}

# bulk_report ROWS BASE: one row for each family, test and path of ROWS (TRIAL FAMILY TEST PATH
# VALUE LOSS, tab-separated): the median value (min-max), the median loss, and the median of the
# trials' ratios to path BASE in the same trial. A udp64 test's value is packets: kpps, and ns per
# packet (1e9 / pps) besides.
bulk_report() {
  awk -F'\t' -v base_path="$2" '
    function med(list,   n, a, i, j, x) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
      lo = a[1]; hi = a[n]
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { key = $2 "\t" $3 "\t" $4; v[key] = v[key] " " $5; l[key] = l[key] " " $6; got[$1 "\t" key] = $5
      if (!(key in seen)) { seen[key] = 1; keys[++nk] = key } trial[$1] = 1 }
    END {
      printf "%-6s %-5s %-14s %-28s %-10s %s\n", "FAMILY", "TEST", "PATH", "Mbit/s (udp64: kpps, ns/packet)", "loss", "vs " base_path
      for (k = 1; k <= nk; k++) {
        split(keys[k], f, "\t"); base = f[1] "\t" f[2] "\t" base_path; ratios = ""
        for (t in trial) if (((t "\t" base) in got) && got[t "\t" base] > 0) ratios = ratios " " got[t "\t" keys[k]] / got[t "\t" base]
        m = med(v[keys[k]])
        value = (f[2] == "udp64") ? sprintf("%.0f (%.0f-%.0f), %.0f", m / 1000, lo / 1000, hi / 1000, m > 0 ? 1e9 / m : 0) \
                                  : sprintf("%.0f (%.0f-%.0f)", m, lo, hi)
        loss = sprintf("%g", med(l[keys[k]]))
        vs = "-"
        if (ratios != "") { r = med(ratios); vs = sprintf("%.2f (%.2f-%.2f)", r, lo, hi) }
        printf "%-6s %-5s %-14s %-28s %-10s %s\n", f[1], f[2], f[3], value, loss, vs
      }
    }' "$1"
}

bench_bulk() {
  local trials=${1:-3}
  source "$XPEER_ROOT/tests/e2e/lib.sh"
  BULK_PINS="/sys/fs/bpf/$RUN_ID-bulk"
  trap 'rm -rf "$BULK_PINS"; e2e_cleanup' EXIT
  local modes=${BULK_XPEER_MODES:-native tc} paths path mode n
  paths=${BULK_PATHS:-"kernel $(for mode in $modes; do printf 'xpeer-%s ' "$mode"; done)tc-peer tc-redirect xdp-frags"}
  declare -gA BULK_FROM BULK_TO BULK_FEATURES_AT
  for path in $paths; do
    n="$RUN_ID-$path"
    n=${n:0:24}
    case $path in
      kernel) bulk_kernel "$n" ;;
      tc-peer) bulk_tc "$n" bf_tc_peer ;;
      tc-redirect) bulk_tc "$n" bf_tc_redirect ;;
      xdp-frags) bulk_xdp_frags "$n" ;;
      xpeer-*) bulk_xpeer "${path#xpeer-}" "$path"; continue ;;
      *) echo "bench bulk: no path $path" >&2; return 2 ;;
    esac
    BULK_FROM[$path]="$n-s" BULK_TO[$path]="$n-r"
    BULK_FEATURES_AT[$path]="$n-s/eth0 $n-m/mids $n-r/eth0"
  done

  local rows="$E2E_TMP/bulk.rows" t family test dst order i
  : >"$rows"
  read -ra order <<<"$paths"
  for t in $(seq "$trials"); do
    for family in 4 6; do
      if [ "$family" = 4 ]; then dst=192.168.1.2; else dst=fd00:4000:0:1::2; fi
      for test in tcp1 tcp8 udp; do
        for i in $(seq 0 $((${#order[@]} - 1))); do
          path=${order[$(((i + t) % ${#order[@]}))]}
          printf '%s\t%s\t%s\t%s\t%s\n' "$t" "IPv$family" "$test" "$path" "$(bulk_test "${BULK_FROM[$path]}" "${BULK_TO[$path]}" "$dst" "$test" | tr ' ' '\t')" >>"$rows"
        done
      done
    done
  done

  printf '\nbulk: iperf3, %s trials of %s s (the first second left out), Mbit/s median (min-max);\n' "$trials" "$BULK_SECONDS"
  printf 'loss: TCP retransmissions (sender), UDP datagrams lost (%%), median; vs kernel: median of the trials'"'"' ratios\n'
  bulk_report "$rows" kernel
  printf '\noffloads (ethtool -k) of each path'"'"'s sender veth, the middle end facing it, and the receiver veth\n'
  for path in $paths; do bulk_features "$path"; done
  [ -z "${BULK_ROWS_OUT:-}" ] || cp "$rows" "$BULK_ROWS_OUT"  # every trial, for a closer look
}
