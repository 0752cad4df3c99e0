#!/usr/bin/env bash
# Bad input is refused with one error line naming the rule and a non-zero exit, and changes
# nothing: not the store, not the namespaces, not the BPF maps.
source "$(dirname "$0")/lib.sh"

step "topology"
vpc1=$(xp vpc create --cidr 172.16.0.0/12 --ipv6-cidr fd00:1::/56)
vpc2=$(xp vpc create --cidr 192.168.0.0/16)
vpc3=$(xp vpc create --cidr 10.0.0.0/16)
vpc4=$(xp vpc create --cidr 10.4.0.0/16 --region cn-shanghai)
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24 --ipv6-cidr fd00:1:0:1::/64)
vsw2=$(xp vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
xp instance create --vswitch "$vsw1" --ip 172.16.1.2 >/dev/null
pcc=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null

# Every CPU's copy of the ports up to a few past the highest ifindex in the datapath namespace
# (a refused vSwitch would have taken the lowest free one): key and VPC, counters left out.
# Dumping all of xp_ports (65,536 elements a CPU id) takes seconds.
ports_state() {
  local cpus top ifindex cpu key
  cpus=$(($(sed 's/.*[-,]//' /sys/devices/system/cpu/possible) + 1))
  ip -n "$XPEER_DATAPATH_NETNS" -br link show | awk '{print $1}'
  top=$(ip -n "$XPEER_DATAPATH_NETNS" -j link show | jq 'map(.ifindex) | max')
  for ((ifindex = 1; ifindex <= top + 4; ifindex++)); do
    for ((cpu = 0; cpu < cpus; cpu++)); do
      key=$((cpu * 65536 + ifindex))
      bpftool -j map lookup pinned "$XPEER_BPFFS/xp_ports" key $((key & 255)) $((key >> 8 & 255)) $((key >> 16 & 255)) $((key >> 24))
    done
  done | jq -c '[.formatted.key, .formatted.value.vpc]'
}

state() {
  local noun
  for noun in vpc vswitch instance peering route; do xp --json "$noun" list; done
  xp --json events | jq length
  ip netns list | grep "^$RUN_ID" | sort
  for map in xp_routes_v4 xp_routes_v6; do bpftool -j map dump pinned "$XPEER_BPFFS/$map"; done
  ports_state
  bpftool -j map dump pinned "$XPEER_BPFFS/xp_peerings" | jq -c '[.[] | select(.formatted.value.vpc_a != 0)]'
}
baseline=$(state)

refused() {
  expect_refused "$@"
  if [ "$(state)" = "$baseline" ]; then pass "  ... and nothing changed"; else fail "  ... but the state changed"; fi
}

step "malformed input"
refused "CIDR with a prefix past /32" InvalidCidrBlock.Malformed vpc create --cidr 10.0.0.0/33
refused "CIDR with host bits set" InvalidCidrBlock.Malformed vpc create --cidr 10.0.0.1/16
refused "CIDR that is not one" InvalidCidrBlock.Malformed vpc create --cidr banana
refused "IPv6 CIDR where IPv4 belongs" InvalidCidrBlock.Family vpc create --cidr fd00::/48
refused "unknown region" InvalidRegionId.NotFound vpc create --cidr 10.9.0.0/16 --region mars-north-1
refused "malformed route destination" InvalidCidrBlock.Malformed route add --vpc "$vpc1" --destination 10.0.0/8 --next-hop "$pcc"

step "rules"
refused "vSwitch outside its VPC" InvalidCidrBlock.NotInVpc vswitch create --vpc "$vpc1" --cidr 10.0.1.0/24
refused "overlapping vSwitches in one VPC" InvalidCidrBlock.Overlapped vswitch create --vpc "$vpc1" --cidr 172.16.1.128/25
refused "IPv6 vSwitch in a VPC without IPv6" InvalidIpv6CidrBlock.VpcHasNoIpv6 vswitch create --vpc "$vpc2" --cidr 192.168.2.0/24 --ipv6-cidr fd00:9::/64
refused "route to a peering of another VPC" InvalidNextHop.NotOfVpc route add --vpc "$vpc3" --destination 192.168.0.0/16 --next-hop "$pcc"
refused "route more specific than a system route" InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute route add --vpc "$vpc1" --destination 172.16.1.0/25 --next-hop "$pcc"
refused "duplicate route" InvalidDestinationCidrBlock.Duplicate route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc"
refused "second peering between the same VPCs" ResourceAlreadyExist.VpcPeer peering create --vpc "$vpc2" --peer-vpc "$vpc1"
refused "peering a VPC with itself" InvalidVpcId.Self peering create --vpc "$vpc1" --peer-vpc "$vpc1"
refused "instance address outside its vSwitch" InvalidIpAddress.NotInVSwitch instance create --vswitch "$vsw1" --ip 172.16.2.2
refused "instance on the gateway address" InvalidIpAddress.Reserved instance create --vswitch "$vsw1" --ip 172.16.1.1
refused "instance address in use" InvalidIpAddress.InUse instance create --vswitch "$vsw1" --ip 172.16.1.2
refused "VPC with vSwitches" DependencyViolation.VSwitch vpc delete "$vpc1"
refused "peering with routes" DependencyViolation.RouteEntry peering delete "$pcc"

step "unknown ids and other accounts"
refused "unknown VPC" InvalidVpcId.NotFound vswitch create --vpc vpc-doesnotexist0000 --cidr 10.0.0.0/24
refused "unknown peering as next hop" InvalidNextHop.NotFound route add --vpc "$vpc1" --destination 10.50.0.0/16 --next-hop pcc-doesnotexist0000
refused "unknown route entry" InvalidRouteEntryId.NotFound route delete rte-doesnotexist0000
refused "another account's VPC is not found" InvalidVpcId.NotFound --account 4242 vpc show "$vpc1"
refused "another account cannot add a vSwitch" InvalidVpcId.NotFound --account 4242 vswitch create --vpc "$vpc1" --cidr 172.16.9.0/24
refused "another account cannot delete the peering" InvalidVpcPeerId.NotFound --account 4242 peering delete "$pcc"
vpc42=$(xp --account 4242 vpc create --cidr 10.42.0.0/16)
baseline=$(state)
refused "another account cannot route through the peering" InvalidNextHop.NotFound --account 4242 route add --vpc "$vpc42" --destination 172.16.0.0/12 --next-hop "$pcc"
refused "another account cannot peer with a VPC it names in the wrong account" InvalidVpcId.NotFound --account 4242 peering create --vpc "$vpc42" --peer-vpc "$vpc1"
refused "exec into another account's VPC" InvalidVpcId.NotFound --account 4242 exec "$vpc1" -- true
# a VPC of another account gets the answer a VPC that does not exist gets, whatever is named with it
for args in "" "--peer-account 4343" "--peer-account $XPEER_ACCOUNT --peer-region cn-shanghai" "--peer-account $XPEER_ACCOUNT --peer-region mars-1"; do
  # shellcheck disable=SC2086
  real=$("$XPEER" --account 4242 --dry-run peering create --vpc "$vpc42" --peer-vpc "$vpc1" $args 2>&1 || true)
  # shellcheck disable=SC2086
  ghost=$("$XPEER" --account 4242 --dry-run peering create --vpc "$vpc42" --peer-vpc vpc-doesnotexist0000 $args 2>&1 || true)
  [ "$real" = "${ghost//vpc-doesnotexist0000/$vpc1}" ] && grep -q "^error: Invalid" <<<"$real" && pass "another account's VPC ($args): $real" ||
    fail "another account's VPC ($args) answers '$real', a missing one '$ghost'"
done
[ "$(state)" = "$baseline" ] && pass "  ... and nothing changed" || fail "  ... but the state changed"
out=$(xp --account 4242 --json stats | jq -c '[(.Links | length), has("Reasons"), has("RouteLookups")]')
[ "$out" = '[0,false,false]' ] && pass "account 4242's stats: no links of others, no router verdicts" || fail "account 4242's stats: $out"
out=$(xp --account 4242 stats)
grep -q "REASON" <<<"$out" && fail "account 4242's stats table shows the router's verdicts" || pass "account 4242's stats table: its links only"
out=$(xp --operator --json stats | jq -c '[(.Links | length), has("Reasons"), has("RouteLookups")]')
[ "$out" = '[1,true,true]' ] && pass "the operator's stats: every link, the router's verdicts" || fail "the operator's stats: $out"
out=$(xp --account 4242 --json vpc list | jq -r '.[].VpcId')
[ "$out" = "$vpc42" ] && pass "account 4242 lists only its own VPC" || fail "account 4242 sees: $out"
out=$(xp --account 4343 --json vpc list)
[ "$out" = "[]" ] && pass "another account lists no VPCs" || fail "account 4242 sees: $out"

step "one data plane, one store"
refused "a second store on the same bpffs folder" Config.DatapathInUse --state "$E2E_TMP/other.db" vpc create --cidr 10.77.0.0/16
refused "the same store with another bpffs folder" Config.Mismatch --bpffs "/sys/fs/bpf/$RUN_ID-other" vpc list

step "lifecycle, quotas, sharing, clock and retries"
refused "accepting a connection that is Activated" IncorrectStatus.VpcPeer peering accept "$pcc"
refused "a zero bandwidth on an intra-region connection" InvalidBandwidth.Value peering modify "$pcc" --bandwidth 0
refused "a modify that changes nothing" MissingParameter peering modify "$pcc"
refused "waiting for an unknown status" InvalidStatus peering wait "$pcc" --status Happy
refused "a timeout that is not a duration" InvalidDuration peering wait "$pcc" --status Deleted --timeout forever
refused "an unknown quota" InvalidQuotaName.NotFound --operator quota set vpc_quota_everything 5 --for-account "$XPEER_ACCOUNT"
refused "a zero bandwidth quota" InvalidQuotaValue.Zero --operator quota set vpc_quota_peer_cross_border_bandwidth 0 --for-account "$XPEER_ACCOUNT"
refused "a quota set by a tenant" Forbidden.Operator quota set vpc_quota_peer_num 1000
refused "a quota set by a tenant for another account" Forbidden.Operator quota set vpc_quota_peer_num 0 --for-account 4242
refused "a quota set by the operator for no account" MissingParameter --operator quota set vpc_quota_peer_num 30
refused "sharing a VPC with its owner" InvalidPrincipal.Owner vpc share "$vpc1" --account "$XPEER_ACCOUNT"
refused "a clock that is not a time" InvalidTime --operator --now yesterday vpc create --cidr 10.60.0.0/16
refused "a clock set by a tenant" Forbidden.Operator --now 2030-01-01T00:00:00Z vpc create --cidr 10.60.0.0/16
refused "a clock before 2000" InvalidTime.OutOfRange --operator --now 1969-12-31T23:59:59Z vpc create --cidr 10.60.0.0/16
refused "a clock in year 9999" InvalidTime.OutOfRange --operator --now 9999-01-01T00:00:00Z vpc create --cidr 10.60.0.0/16
refused "a client token with a space" InvalidClientToken.Malformed --client-token "a b" vpc create --cidr 10.60.0.0/16
refused "a dry run of a refused command is refused too" DependencyViolation.VSwitch --dry-run vpc delete "$vpc1"
xp --dry-run vswitch create --vpc "$vpc1" --cidr 172.16.5.0/24 >/dev/null
[ "$(state)" = "$baseline" ] && pass "a dry run that would succeed changes nothing" || fail "the dry run changed the state"
out=$(xp --dry-run reconcile 2>&1) && grep -q "maps: 0 added, 0 changed, 0 removed" <<<"$out" && pass "a dry-run reconcile plans nothing to do" ||
  fail "a dry-run reconcile: $out"
[ "$(state)" = "$baseline" ] && pass "  ... and changes nothing" || fail "the dry-run reconcile changed the state"

step "bandwidth, alerts, prices and bills"
refused "a negative bandwidth" InvalidBandwidth.Value peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth -5
refused "a zero bandwidth" InvalidBandwidth.Value peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth 0
refused "unlimited between regions" InvalidBandwidth.Value peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth -1
refused "a bandwidth above the quota" QuotaExceeded.CrossRegionBandwidth peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth 5000
refused "a negative bandwidth within a region" InvalidBandwidth.Value peering create --vpc "$vpc3" --peer-vpc "$vpc1" --bandwidth -2
refused "a link type within a region" InvalidLinkType.IntraRegion peering create --vpc "$vpc3" --peer-vpc "$vpc1" --link-type Gold
refused "an unknown alert metric" InvalidAlertMetric alert create --peering "$pcc" --metric latency --threshold 1
refused "a malformed webhook" InvalidAlert.Webhook alert create --peering "$pcc" --metric bps --threshold 1 --webhook "http://bad host/"
refused "a loss threshold above 1" InvalidAlert.Threshold alert create --peering "$pcc" --metric loss --threshold 5
refused "a price within one region" InvalidPrice.IntraRegion price set --region-a cn-hangzhou --region-b cn-hangzhou --link-type Gold --usd-per-gb 1
refused "a price for an unknown region" InvalidRegionId.NotFound price set --region-a mars-1 --region-b cn-hangzhou --link-type Gold --usd-per-gb 1
printf '10.70.0.0/16\nbanana\n' >"$E2E_TMP/routes.txt"
refused "an import with a malformed line" InvalidCidrBlock.Malformed route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP/routes.txt"
refused "an import file that cannot be read" InvalidFile route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP/missing.txt"
refused "a price set by a tenant" Forbidden.Operator price set --region-a cn-shanghai --region-b cn-hangzhou --link-type Gold --usd-per-gb 0
refused "a price set by the operator's account without --operator" Forbidden.Operator --account 0 price set --region-a cn-shanghai --region-b cn-hangzhou --link-type Gold --usd-per-gb 0
refused "a bill that ends before it starts" InvalidTime.Range bill --from 2026-12-02T00:00:00Z --to 2026-12-01T00:00:00Z
refused "a bill from the middle of an hour" InvalidTime.NotOnHour bill --from 2026-12-01T10:30:00Z

step "input hygiene"
esc=$(printf 'x\033[2Jy')
refused "a name with a terminal escape" InvalidParameter.ControlCharacter vpc create --cidr 10.61.0.0/16 --name "$esc"
refused "a one-letter name" InvalidVpcName.Malformed vpc create --cidr 10.61.0.0/16 --name a
refused "a name that does not start with a letter" InvalidVSwitchName.Malformed vswitch create --vpc "$vpc1" --cidr 172.16.7.0/24 --name 7up
refused "a name of 129 characters" InvalidVpcPeerName.Malformed peering modify "$pcc" --name "a$(printf '%0128d' 0)"
refused "a description that is a URL" InvalidDescription.Malformed peering modify "$pcc" --description "https://example.com"
refused "a description of 257 characters" InvalidDescription.Malformed peering modify "$pcc" --description "$(printf '%0257d' 0)"
refused "an import of a directory" InvalidFile.Directory route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP"
refused "an import of /dev/zero" "InvalidFile.LineTooLong: line 1" route import --vpc "$vpc1" --next-hop "$pcc" --file /dev/zero
start=$(date +%s%N)
"$XPEER" route import --vpc "$vpc1" --next-hop "$pcc" --file /dev/zero >/dev/null 2>&1 || true
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 2000 ] && pass "  ... in $ms ms" || fail "  ... after $ms ms"
printf '10.71.0.0/16\n10.72\033[2J.0.0/16\n' >"$E2E_TMP/escape.txt"
refused "an import line with an escape" "InvalidFile.ControlCharacter: line 2" route import --vpc "$vpc1" --next-hop "$pcc" --file "$E2E_TMP/escape.txt"
refused "an alert threshold of nan" InvalidAlert.Threshold alert create --peering "$pcc" --metric bps --threshold nan
refused "an alert threshold of inf" InvalidAlert.Threshold alert create --peering "$pcc" --metric bps --threshold inf
refused "a utilization threshold above 1" InvalidAlert.Threshold alert create --peering "$pcc" --metric utilization --threshold 2
refused "a bandwidth past int64" "InvalidBandwidth.TooLarge: bandwidth 99999999999999999999 Mbps is above the 100000 Mbps" \
  peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth 99999999999999999999
refused "a bandwidth above what the data plane enforces" InvalidBandwidth.TooLarge peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth 9999999
refused "a bandwidth that is not a number" InvalidBandwidth.Malformed peering create --vpc "$vpc3" --peer-vpc "$vpc4" --bandwidth 10M
refused "top for -1 refreshes" InvalidParameter.Count top --count -1
refused "top every 0 s" InvalidDuration top --interval 0 --count 1

step "the command line"
status=0
xp vpc create >/dev/null 2>&1 || status=$?
[ "$status" = 2 ] && pass "missing --cidr exits 2" || fail "missing --cidr exits $status"

step "the operator sets a price (last: it changes the state)"
hour=$(($(date +%s) / 3600 * 3600 + 3600))
xp --operator price set --region-a cn-shanghai --region-b cn-hangzhou --link-type Gold --usd-per-gb 0.05 >/dev/null
got=$(xp --json price list | jq -r '[.[] | select(.RegionA == "cn-hangzhou" and .RegionB == "cn-shanghai" and .LinkType == "Gold") | "\(.UsdPerGb)@\(.EffectiveFrom)"] | join(" ")')
want="0.072@1970-01-01T00:00:00Z 0.05@$(date -u -d "@$hour" +%Y-%m-%dT%H:%M:%SZ)"
[ "$got" = "$want" ] && pass "--operator price set: in force from the next full hour ($got)" || fail "price list has '$got', not '$want'"

finish
