#!/usr/bin/env bash
# tools/bench's machinery measures what it claims: the live-frames generator's frames really
# leave, cross one veth hop to the counting sink, and through xpeer cross the router (the link
# counter sees them); they go to the destinations and have the lengths asked for (the checking
# sink records both). Figures are tools/bench's business; this checks only that they are real.
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

step "the frames go to the destinations asked for, with the lengths asked for"
floor=(--gen "$ns/g0" --sink "$ns/s0" --smac "$(mac_of "$ns" g0)" --dmac "$(mac_of "$ns" s0)")
out=$(run_bench "${floor[@]}" --verify --src 10.0.0.1 --dst-prefix 10.0.0.0/8 --count 5000 --sizes 64,512,1500)
jq -e '.expected == 5000 and .distinct == 5000 and .outside == 0' <<<"$out" >/dev/null &&
  pass "5000 distinct hosts of 10.0.0.0/8 arrived, none else" || fail "destinations: $out"
jq -e '(.sizes | keys) == ["1500", "512", "64"] and ([.sizes[]] | add) as $n | [.sizes[] / $n] | all(. > 0.3 and . < 0.37)' <<<"$out" >/dev/null &&
  pass "64, 512 and 1500-byte frames, a third each: $(jq -c .sizes <<<"$out")" || fail "sizes: $out"
out=$(run_bench "${floor[@]}" --verify --src fd00:a:0:1::1 --dst-prefix fd00:a:0:1::/64 --count 5000)
jq -e '.expected > 4990 and .distinct == .expected and .outside == 0 and (.sizes | keys) == ["64"]' <<<"$out" >/dev/null &&
  pass "IPv6: 5000 hosts of fd00:a:0:1::/64 arrived ($(jq .distinct <<<"$out") distinct slots of the sink's record), 64-byte frames" ||
  fail "IPv6 destinations: $out"
out=$(run_bench "${floor[@]}" --verify --src 10.0.0.1 --dst 10.0.0.2 --count 300 --frame 128)
jq -e '.expected == 300 and .distinct == 300 and .outside == 0 and (.sizes | keys) == ["128"]' <<<"$out" >/dev/null &&
  pass "--dst 10.0.0.2 --count 300: those 300 addresses, 128-byte frames" || fail "consecutive destinations: $out"
out=$(run_bench "${floor[@]}" --verify --src 10.0.0.1 --dst 10.0.0.2)
jq -e '.expected == 1 and .distinct == 1 and .outside == 0' <<<"$out" >/dev/null && pass "one destination: one arrived" ||
  fail "one destination: $out"

step "bad generator flags are refused by name"
bad_flags() {  # DESCRIPTION RULE FLAGS...
  local what=$1 rule=$2 err status=0
  shift 2
  err=$("$BENCH" --trials 1 --seconds 0.1 "${floor[@]}" "$@" 2>&1 >/dev/null) || status=$?
  [ "$status" != 0 ] && grep -q "^error: $rule: " <<<"$err" && pass "$what: $err" || fail "$what: exit $status, '$err'"
}
bad_flags "more hosts than the prefix holds" InvalidParameter.Count --src 10.0.0.1 --dst-prefix 10.0.0.0/30 --count 2
bad_flags "an IPv6 prefix shorter than /64" InvalidParameter.DestinationPrefix --src fd00::1 --dst-prefix fd00::/48 --count 10
bad_flags "a size that is not a number" InvalidParameter.Sizes --src 10.0.0.1 --dst 10.0.0.2 --sizes 64,big
bad_flags "a frame shorter than the headers' template" InvalidParameter.Sizes --src 10.0.0.1 --dst 10.0.0.2 --sizes 32
bad_flags "more sizes than the generator takes in turn" InvalidParameter.Sizes --src 10.0.0.1 --dst 10.0.0.2 --sizes 64,128,256,512,1024
bad_flags "--dst and --dst-prefix together" InvalidParameter.Destination --src 10.0.0.1 --dst 10.0.0.2 --dst-prefix 10.0.0.0/8 --count 2
[ -z "$(ip -n "$ns" -j link show s0 | jq -r '.[0].xdp // empty')" ] && pass "nothing left on s0" || fail "a program is left on s0"

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
lookups_before=$(xp --operator --json stats | jq -c .RouteLookups)
out=$(run_bench --gen "$XPEER_NETNS_PREFIX-$vpc1/${v1if:0:15}" --sink "$XPEER_NETNS_PREFIX-$vpc2/${v2if:0:15}" \
  --sink-link "$XPEER_BPFFS/links/${v2if:0:15}" --smac "$(mac_of "$XPEER_NETNS_PREFIX-$vpc1" "${v1if:0:15}")" --dmac "$(mac_of "$XPEER_DATAPATH_NETNS" "${gwif:0:15}")" \
  --src 172.16.1.2 --dst 192.168.1.2 --count 200)
crossed=$(($(counter "$pcc" 0 Packets) - before))
pps=$(jq -r '.pps' <<<"$out")
[ "$crossed" -gt 10000 ] && pass "$crossed generated packets crossed the peering ($pps pps at the sink)" || fail "only $crossed crossed"
no_route=$(xp --operator --json stats | jq '.Reasons[] | select(.Reason == "drop_no_route").Packets')
[ "$no_route" = 0 ] && pass "all 200 random destinations were routed" || fail "$no_route dropped as no route"
lookups=$(xp --operator --json stats | jq -c .RouteLookups)
jq -e --argjson n "$crossed" --argjson was "$lookups_before" '.CompiledOn and .Compiled - $was.Compiled >= $n and .Tries == $was.Tries' \
  <<<"$lookups" >/dev/null && pass "the compiled lookup decided every one, the tries none: $lookups_before -> $lookups" ||
  fail "lookups: $lookups_before -> $lookups"
out=$(run_bench --gen "$XPEER_NETNS_PREFIX-$vpc1/${v1if:0:15}" --sink "$XPEER_NETNS_PREFIX-$vpc2/${v2if:0:15}" \
  --sink-link "$XPEER_BPFFS/links/${v2if:0:15}" --smac "$(mac_of "$XPEER_NETNS_PREFIX-$vpc1" "${v1if:0:15}")" --dmac "$(mac_of "$XPEER_DATAPATH_NETNS" "${gwif:0:15}")" \
  --src 172.16.1.2 --dst-prefix 192.168.1.0/24 --count 253 --sizes 64,1500 --verify)
jq -e '.distinct == 253 and .outside == 0 and (.sizes | keys) == ["1500", "64"]' <<<"$out" >/dev/null &&
  pass "through the router: every host of vpc2's /24 but its 3 reserved addresses arrived, 64 and 1500 bytes long" ||
  fail "through the router: $out"
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
"$BENCH" --compiled-lookup off --bpffs "$XPEER_BPFFS"  # the tries decide, as for a VPC without a compiled lookup
tries=$(xp --operator --json stats | jq .RouteLookups.Tries)
out=$(cost 192.168.2.2 --count 200)  # .0 and .1 are the subnet's network and gateway
[ "$(jq -r .retval <<<"$out")" = 4 ] && pass "XDP_REDIRECT, $(jq -r .ns <<<"$out") ns a packet" || fail "random cost run: $out"
[ $(($(counter "$pcc" 0 Packets) - before)) = 2000 ] && pass "1000 warm-up and 1000 measured repeats crossed the peering" ||
  fail "$(($(counter "$pcc" 0 Packets) - before)) of 2000 counted"
tries=$(($(xp --operator --json stats | jq .RouteLookups.Tries) - tries))
[ "$tries" -ge 2000 ] && pass "the tries decided them, $tries packets, the compiled lookup off" || fail "the tries decided $tries of 2000 packets"
"$BENCH" --compiled-lookup on --bpffs "$XPEER_BPFFS"
no_route=$(xp --operator --json stats | jq '.Reasons[] | select(.Reason == "drop_no_route").Packets')
[ "$no_route" = 0 ] && pass "none dropped as no route" || fail "$no_route dropped as no route"

finish
