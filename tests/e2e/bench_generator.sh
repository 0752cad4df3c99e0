#!/usr/bin/env bash
# tools/bench's machinery measures what it claims: the live-frames generator's frames really
# leave, cross one veth hop to the counting sink, and through xpeer cross the router (the link
# counter sees them). Figures are tools/bench's business; this checks only that they are real.
source "$(dirname "$0")/lib.sh"
BENCH="$(dirname "$XPEER")/xpeer-bench"
mac_of() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }
run_bench() { "$BENCH" --trials 1 --seconds 0.5 "$@"; }

step "floor: generator -> one veth hop -> sink"
ns="$RUN_ID-g"
ip netns add "$ns"
ip -n "$ns" link add g0 type veth peer name s0
ip -n "$ns" link set g0 up
ip -n "$ns" link set s0 up
out=$(run_bench --gen "$ns/g0" --sink "$ns/s0" --smac "$(mac_of "$ns" g0)" --dmac "$(mac_of "$ns" s0)" --src 10.0.0.1 --dst 10.0.0.2)
pps=$(jq -r '.pps' <<<"$out")
sent=$(jq -r '.sent_pps' <<<"$out")
awk -v p="$pps" -v s="$sent" 'BEGIN { exit !(p > 10000 && p <= s * 1.01) }' && pass "the sink received $pps pps of the $sent generated" ||
  fail "sink $pps pps, generated $sent"
[ -z "$(ip -n "$ns" -j link show s0 | jq -r '.[0].xdp // empty')" ] && pass "the sink is detached afterwards" || fail "a program is left on s0"

if [ "${XPEER_XDP_MODE:-native}" = generic ]; then
  # Redirected frames enter a veth only through a native XDP program on its peer (ndo_xdp_xmit);
  # with the router attached in generic mode they are dropped, so tools/bench measures native.
  pass "the xpeer path needs the router in native mode; tools/bench uses native"
  finish
  exit 0
fi

step "xpeer: generator in vpc1 -> the router -> vpc2's vSwitch link (sink)"
vpc1=$(xp vpc create --cidr 172.16.0.0/12)
vpc2=$(xp vpc create --cidr 192.168.0.0/16)
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
v1if="vs${vsw1#vsw-}" v2if="vs${vsw2#vsw-}" gwif="xp${vsw1#vsw-}"
before=$(counter "$pcc" 0 Packets)
out=$(run_bench --gen "$XPEER_NETNS_PREFIX-$vpc1/${v1if:0:15}" --sink "$XPEER_NETNS_PREFIX-$vpc2/${v2if:0:15}" \
  --sink-link "$XPEER_BPFFS/links/${v2if:0:15}" --smac "$(mac_of "$XPEER_NETNS_PREFIX-$vpc1" "${v1if:0:15}")" --dmac "$(mac_of "$XPEER_DATAPATH_NETNS" "${gwif:0:15}")" \
  --src 172.16.1.2 --dst 192.168.1.2 --count 200)
crossed=$(($(counter "$pcc" 0 Packets) - before))
pps=$(jq -r '.pps' <<<"$out")
[ "$crossed" -gt 10000 ] && pass "$crossed generated packets crossed the peering ($pps pps at the sink)" || fail "only $crossed crossed"
no_route=$(xp --operator --json stats | jq '.Reasons[] | select(.Reason == "drop_no_route").Packets')
[ "$no_route" = 0 ] && pass "all 200 random destinations were routed" || fail "$no_route dropped as no route"
cache=$(xp --operator --json stats | jq -c .RouteCache)
jq -e '.On and .Hits > .Misses and .Misses >= 200' <<<"$cache" >/dev/null && pass "the route cache answered most: $cache" ||
  fail "route cache: $cache"
expect_ok "the sink gave vpc2's end its own program back, through the same pinned link" "$XPEER" check

step "cost: the router forwards the restored frame on every repeat; the unaccounted build counts nothing"
cost() {  # DESTINATION BENCH-FLAGS...
  local dst=$1
  shift
  "$BENCH" --cost "$XPEER_BPFFS/xp_router" --cost-at "$XPEER_DATAPATH_NETNS/${gwif:0:15}" --trials 1 --repeat 1000 \
    --smac "$(mac_of "$XPEER_NETNS_PREFIX-$vpc1" "${v1if:0:15}")" --dmac "$(mac_of "$XPEER_DATAPATH_NETNS" "${gwif:0:15}")" \
    --src 172.16.1.2 --dst "$dst" "$@"
}
before=$(counter "$pcc" 0 Packets)
out=$(cost 192.168.1.2)
[ "$(jq -r .retval <<<"$out")" = 4 ] && pass "XDP_REDIRECT, $(jq -r .ns <<<"$out") ns a packet" || fail "cost run: $out"
[ $(($(counter "$pcc" 0 Packets) - before)) = 1000 ] && pass "all 1000 repeats crossed the peering" || fail "$(($(counter "$pcc" 0 Packets) - before)) of 1000 counted"
before=$(counter "$pcc" 0 Packets)
out=$(cost 192.168.1.2 --unaccounted)
[ "$(jq -r '"\(.retval) \(.unaccounted_retval)"' <<<"$out")" = "4 4" ] && pass "paired in one trial, the unaccounted build forwards too" ||
  fail "paired cost run: $out"
jq -e '[.ns, .fastest_ns, .unaccounted_ns, .fastest_unaccounted_ns, .paired_median_ns] | all(type == "number")' <<<"$out" >/dev/null &&
  pass "each program's mean and fastest round, and the rounds' median difference, reported" || fail "cost figures missing: $out"
[ $(($(counter "$pcc" 0 Packets) - before)) = 1000 ] && pass "and counts nothing: 1000 counted, the accounted build's" ||
  fail "$(($(counter "$pcc" 0 Packets) - before)) counted for 1000 accounted and 1000 unaccounted repeats"

step "cost with random destinations: 200 new ones, each routed; a warm-up run goes before the trial"
xp vswitch create --vpc "$vpc2" --cidr 192.168.2.0/24 >/dev/null
before=$(counter "$pcc" 0 Packets)
misses=$(xp --operator --json stats | jq .RouteCache.Misses)
out=$(cost 192.168.2.2 --count 200)  # .0 and .1 are the subnet's network and gateway
[ "$(jq -r .retval <<<"$out")" = 4 ] && pass "XDP_REDIRECT, $(jq -r .ns <<<"$out") ns a packet" || fail "random cost run: $out"
[ $(($(counter "$pcc" 0 Packets) - before)) = 2000 ] && pass "1000 warm-up and 1000 measured repeats crossed the peering" ||
  fail "$(($(counter "$pcc" 0 Packets) - before)) of 2000 counted"
misses=$(($(xp --operator --json stats | jq .RouteCache.Misses) - misses))
[ "$misses" -ge 150 ] && [ "$misses" -le 200 ] && pass "$misses of the 200 destinations missed the route cache once" ||
  fail "$misses route cache misses for 200 destinations"
no_route=$(xp --operator --json stats | jq '.Reasons[] | select(.Reason == "drop_no_route").Packets')
[ "$no_route" = 0 ] && pass "none dropped as no route" || fail "$no_route dropped as no route"

finish
