#!/usr/bin/env bash
# The command line as a newcomer types it: global flags after the verb, exec's arguments left
# alone, --dry-run wherever the README promises it, errors as JSON under --json, every create
# printing its id, Deleted connections listed only when asked, names wherever ids are, a VPC
# deleted with what is in it.
#
#   vpc1 172.16.0.0/12 (vsw 172.16.1.0/24)
source "$(dirname "$0")/lib.sh"

step "global flags after the verb"
vpc1=$(xp vpc create --cidr 172.16.0.0/12 --name first)
[ "$(xp vpc list --json | jq -r '.[0].VpcId')" = "$vpc1" ] && pass "vpc list --json" || fail "vpc list --json: $(xp vpc list --json 2>&1)"
[ "$(xp vpc show "$vpc1" --account 1001 --json | jq -r .VpcName)" = first ] && pass "vpc show ID --account U --json" || fail "vpc show with flags after the id"
expect_refused "another account's VPC, --account after the id" InvalidVpcId.NotFound vpc show "$vpc1" --account 4242

step "--dry-run after the verb changes nothing"
plan=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24 --dry-run)
grep -q "dry run: nothing was changed" <<<"$plan" && pass "vswitch create ... --dry-run prints its plan" || fail "plan: $plan"
[ "$(xp vswitch list --json | jq length)" = 0 ] && pass "and created nothing" || fail "a dry run created a vSwitch"
[ -z "$(ip -n "$XPEER_DATAPATH_NETNS" -o link show 2>/dev/null | grep ' xp' || true)" ] && pass "no link made" || fail "a dry run made a link"
vsw1=$(xp vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)

step "instance create prints its id, like every create"
inst=$(xp instance create --vswitch "$vsw1")
[[ "$inst" == i-* ]] && [ "$(xp instance show "$inst" --json | jq -r .PrivateIpAddress)" = 172.16.1.2 ] &&
  pass "$inst, whose show gives 172.16.1.2" || fail "instance create printed '$inst'"

step "peering list leaves Deleted connections out unless --all"
vpc2=$(xp vpc create --cidr 192.168.0.0/16)
vpc3=$(xp vpc create --cidr 10.0.0.0/16)
kept=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc2")
gone=$(xp peering create --vpc "$vpc1" --peer-vpc "$vpc3")
xp peering delete "$gone" >/dev/null
[ "$(xp peering list --json | jq -r '[.[].InstanceId] | join(" ")')" = "$kept" ] && pass "peering list: $kept only" ||
  fail "peering list: $(xp peering list)"
[ "$(xp peering list --all --json | jq -r --arg g "$gone" '.[] | select(.InstanceId == $g).Status')" = Deleted ] &&
  pass "peering list --all: $gone Deleted too" || fail "peering list --all: $(xp peering list --all)"

step "exec: everything after -- is the command's"
out=$(xp exec "$vpc1" --account 1001 -- echo --json -v --dry-run --account 9)
[ "$out" = "--json -v --dry-run --account 9" ] && pass "the command got its flags untouched" || fail "the command got: $out"
expect_refused "exec has no dry run" InvalidParameter.DryRun exec "$vpc1" --dry-run -- true
expect_refused "the agent has no dry run" InvalidParameter.DryRun agent --ticks 1 --metrics-port 0 --dry-run

step "names wherever ids are"
[ "$(xp vswitch list --vpc first --json | jq -r '.[0].VSwitchId')" = "$vsw1" ] && pass "vswitch list --vpc first" || fail "vswitch list --vpc first"
[ "$(xp exec first -- echo inside)" = inside ] && pass "exec first -- echo inside" || fail "exec by name"
twin=$(xp vpc create --cidr 10.9.0.0/16 --name first)
expect_refused "a name two VPCs have" InvalidName.Ambiguous vpc show first
expect_refused "another account's name" InvalidName.NotFound --account 4242 vswitch create --vpc first --cidr 172.16.9.0/24
xp vpc delete "$twin" >/dev/null

step "errors under --json: one object on stderr, exit status kept"
status=0
out=$("$XPEER" vpc show vpc-nope --json 2>"$E2E_TMP/err") || status=$?
err=$(cat "$E2E_TMP/err")
[ "$status" = 1 ] && [ -z "$out" ] && [ "$(jq -r .Code <<<"$err")" = InvalidVpcId.NotFound ] && [ "$(wc -l <<<"$err")" = 1 ] &&
  pass "a refused command: $err" || fail "status $status, stdout '$out', stderr '$err'"
status=0
err=$("$XPEER" --json vswitch create --vpc "$vpc1" 2>&1 >/dev/null) || status=$?
[ "$status" = 2 ] && [ "$(jq -r .Code <<<"$err")" = InvalidCommandLine ] && jq -r .Message <<<"$err" | grep -q -- --cidr &&
  pass "a malformed command line: $err" || fail "status $status, stderr '$err'"

step "vpc delete: every blocker at once, or --recursive"
r1=$(xp route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$kept")
r2=$(xp route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$kept")
status=0
out=$("$XPEER" vpc delete "$vpc1" 2>&1) || status=$?
[ "$status" = 1 ] && grep -q "^error: DependencyViolation.VSwitch: " <<<"$out" && grep -q "$vsw1" <<<"$out" && grep -q "$kept" <<<"$out" &&
  grep -q "$r1" <<<"$out" && pass "a refused delete names them all: $out" || fail "status $status: $out"
expect_refused "--recursive has no dry run" InvalidParameter.DryRun vpc delete "$vpc1" --recursive --dry-run
out=$(xp vpc delete "$vpc1" --recursive)
grep -q "peering connection $kept deleted" <<<"$out" && grep -q "instance $inst deleted" <<<"$out" && [ "$(tail -1 <<<"$out")" = "$vpc1 deleted" ] &&
  pass "vpc delete --recursive: $(tr '\n' ';' <<<"$out")" || fail "vpc delete --recursive printed: $out"
[ "$(xp vpc list --json | jq -r --arg v "$vpc1" '[.[] | select(.VpcId == $v)] | length')" = 0 ] && pass "the VPC is gone" || fail "the VPC is listed"
xp route show "$r2" >/dev/null 2>&1 && fail "the peer's route $r2 through $kept is left" || pass "the peer's route through $kept went with it"
ip netns list | grep -q "$vpc1" && fail "its namespace is left" || pass "its namespace is gone"
xp check >/dev/null && pass "check: the kernel holds what the store says" || fail "check: $(xp check 2>&1)"

finish
