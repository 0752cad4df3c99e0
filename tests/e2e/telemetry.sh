#!/usr/bin/env bash
# The agent, end to end, in the seed's billing setting: Customer 1 (Hohhot) and Customer 2
# (Guangzhou), a Gold inter-region connection. The agent samples the links, serves Prometheus
# metrics, fires an alert rule to a webhook and resolves it; the bill matches the counters; a
# restarted agent keeps the totals. The agent, the webhook receiver and the scraper run in a
# namespace of the test's own (nsenter keeps /sys/fs/bpf visible, ip netns exec would not). The
# receiver is on loopback: the alert is the operator's (--operator) and the agent allows local
# webhooks; a tenant's webhook to localhost is refused at delivery.
source "$(dirname "$0")/lib.sh"

C1=2001
C2=2002
TEL_NS="$RUN_ID-tel"
ip netns add "$TEL_NS"
ip -n "$TEL_NS" link set lo up
in_tel() { nsenter --net="/run/netns/$TEL_NS" "$@"; }  # in the background, call nsenter directly: $! must be the process
in_vpc() {
  local vpc=$1 account=$C1
  shift
  [ "$vpc" = "$vpc2" ] && account=$C2
  "$XPEER" --account "$account" exec "$vpc" -- "$@"
}
METRICS_PORT=$((20000 + RANDOM % 10000))
HOOK_PORT=$((30000 + RANDOM % 10000))
HOOKS="$E2E_TMP/hooks.jsonl"
: >"$HOOKS"
TOKEN_FILE="$E2E_TMP/metrics.token"
echo "tok-$RUN_ID-$RANDOM" >"$TOKEN_FILE"
# http_get PATH [TOKEN]: the status on one line, then the body, of a GET on the agent's endpoint.
http_get() {
  in_tel python3 -c '
import sys, urllib.request, urllib.error
req = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]))
if sys.argv[3]:
    req.add_header("Authorization", "Bearer " + sys.argv[3])
try:
    r = urllib.request.urlopen(req, timeout=10)
    print(r.status)
    print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
    print(e.read().decode())' "$METRICS_PORT" "$1" "${2:-}"
}
scrape() { http_get /metrics "$(cat "$TOKEN_FILE")" | tail -n +2; }
# metric NAME LABEL: the first sample of NAME whose labels contain LABEL, from one scrape.
metric() {
  local body
  body=$(scrape)
  awk -v m="$1" -v l="$2" 'index($0, m "{") == 1 && index($0, l) && !found { print $NF; found = 1 }' <<<"$body"
}
start_agent() {  # start_agent [FLAG...]
  nsenter --net="/run/netns/$TEL_NS" "$XPEER" agent --interval 500ms --metrics-port "$METRICS_PORT" --metrics-token-file "$TOKEN_FILE" "$@" 2>"$E2E_TMP/agent.log" &
  AGENT=$!
  E2E_PIDS+=("$AGENT")
  for _ in $(seq 50); do scrape >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "the agent's metrics endpoint did not come up: $(cat "$E2E_TMP/agent.log")"
}
stop_agent() {
  kill "$AGENT"
  if wait "$AGENT"; then pass "the agent stopped cleanly on SIGTERM"; else fail "the agent exited with $? on SIGTERM"; fi
  grep -q "^info: xpeer-agent stopped after [0-9]* ticks (signal)$" "$E2E_TMP/agent.log" && pass "and said so" || fail "no stop line: $(cat "$E2E_TMP/agent.log")"
}
udp() {  # udp FROM TO ADDR MBPS SECONDS
  local port=$((20000 + RANDOM % 20000))
  in_vpc "$2" iperf3 -s -1 -p "$port" -B "$3" >/dev/null 2>&1 &
  E2E_PIDS+=($!)
  sleep 0.5
  in_vpc "$1" iperf3 -c "$3" -p "$port" -u -b "$4M" -t "$5" >/dev/null
}

step "topology: two customers, two regions, Gold"
vpc1=$(xp --account $C1 vpc create --cidr 172.16.0.0/12 --region cn-huhehaote --name VPC1)
vpc2=$(xp --account $C2 vpc create --cidr 192.168.0.0/16 --region cn-guangzhou --name VPC2)
vsw1=$(xp --account $C1 vswitch create --vpc "$vpc1" --cidr 172.16.1.0/24)
vsw2=$(xp --account $C2 vswitch create --vpc "$vpc2" --cidr 192.168.1.0/24)
xp --account $C1 instance create --vswitch "$vsw1" >/dev/null
xp --account $C2 instance create --vswitch "$vsw2" >/dev/null
pcc=$(xp --account $C1 peering create --vpc "$vpc1" --peer-vpc "$vpc2" --peer-account $C2 --link-type Gold)
xp --account $C2 peering accept "$pcc" >/dev/null
xp --account $C1 route add --vpc "$vpc1" --destination 192.168.0.0/16 --next-hop "$pcc" >/dev/null
xp --account $C2 route add --vpc "$vpc2" --destination 172.16.0.0/12 --next-hop "$pcc" >/dev/null

step "the agent, an alert rule and its webhook"
nsenter --net="/run/netns/$TEL_NS" python3 "$(dirname "$0")/webhook_receiver.py" "$HOOK_PORT" "$HOOKS" >/dev/null 2>&1 &
E2E_PIDS+=($!)
expect_refused "an unknown metric" InvalidAlertMetric --account $C1 alert create --peering "$pcc" --metric latency --threshold 1
expect_refused "a malformed webhook" InvalidAlert.Webhook --account $C1 alert create --peering "$pcc" --metric bps --threshold 1 --webhook "ftp://x"
expect_refused "another account's peering" InvalidVpcPeerId.NotFound --account 2003 alert create --peering "$pcc" --metric bps --threshold 1
expect_refused "a tenant's webhook to a loopback address" InvalidAlert.WebhookAddress --account $C1 alert create --peering "$pcc" --metric bps --threshold 1 --webhook "http://127.0.0.1:$HOOK_PORT/hook"
alert=$(xp --account $C1 --operator alert create --peering "$pcc" --metric bps --threshold 5000000 --for 1s --webhook "http://127.0.0.1:$HOOK_PORT/hook")
start_agent --allow-local-webhooks
grep -q "^info: xpeer-agent [0-9.]* started, pid $AGENT: store $XPEER_STATE, bpffs $XPEER_BPFFS, metrics http://127.0.0.1:$METRICS_PORT/metrics and /healthz (bearer token), interval 500 ms, webhooks to local addresses allowed$" "$E2E_TMP/agent.log" &&
  pass "the agent says where it runs: $(head -1 "$E2E_TMP/agent.log")" || fail "start line: $(cat "$E2E_TMP/agent.log")"
udp "$vpc1" "$vpc2" 192.168.1.2 20 3
sleep 2.5  # the rate falls to 0 within an interval; the rule resolves
stop_agent
grep -q '"status":"firing"' "$HOOKS" && pass "the webhook got the firing" || fail "no firing POST: $(cat "$HOOKS")"
grep -q '"status":"resolved"' "$HOOKS" && pass "and the resolution" || fail "no resolved POST: $(cat "$HOOKS")"
[ "$(grep -c firing "$HOOKS")" = 1 ] && pass "it fired once" || fail "fired $(grep -c firing "$HOOKS") times"
history=$(xp --account $C1 --json alert history "$alert" | jq -r '[.[] | .Change + ":" + .Delivery] | join(",")')
[ "$history" = "Fired:HTTP 200,Resolved:HTTP 200" ] && pass "history: $history" || fail "history: $history"
expect_refused "another account's alert history" InvalidAlertId.NotFound --account $C2 alert history "$alert"

step "the bill matches the counters"
sent=$(xp --account $C1 --json stats "$pcc" | jq '.Links[0].Directions[0].Counters.Bytes')
bill=$(xp --account $C1 --json bill)
billed=$(jq '[.Lines[] | select(.From == "'"$vpc1"'") | .GB] | add * 1073741824 | round' <<<"$bill")
[ "$billed" = "$sent" ] && pass "Customer 1 is billed for the $sent bytes VPC1 sent" || fail "billed $billed bytes, counters say $sent"
usd=$(jq '.TotalUsd' <<<"$bill")
want=$(awk -v b="$sent" 'BEGIN { printf "%.9f", b / 1073741824 * 0.072 }')
awk -v a="$usd" -v b="$want" 'BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }' && pass "at 0.072 USD/GB: $usd USD" || fail "total $usd, expected $want"
payer=$(xp --account $C2 --json bill | jq -r '[.Lines[].Payer] | unique | join(",")')
[ "$payer" = "$C2" ] && pass "Customer 2's bill has only its own direction" || fail "Customer 2's bill has payers $payer"

step "the agent's endpoint is the operator's; one agent a store"
start_agent
out=$(http_get /metrics)
[ "$(head -1 <<<"$out")" = 401 ] && ! grep -q xpeer_peering <<<"$out" && pass "/metrics without the token: 401" || fail "without the token: $out"
out=$(http_get /metrics "wrong-$RUN_ID")
[ "$(head -1 <<<"$out")" = 401 ] && pass "with a wrong token: 401" || fail "a wrong token: $out"
out=$(http_get /healthz "$(cat "$TOKEN_FILE")")
[ "$(head -1 <<<"$out")" = 200 ] && tail -n +2 <<<"$out" | jq -e '.status == "ok" and .ticks >= 1 and .last_error == null' >/dev/null &&
  pass "/healthz: $(tail -n +2 <<<"$out")" || fail "/healthz: $out"
expect_refused "a second agent on the store" "Agent.AlreadyRunning: another agent (pid $AGENT) holds $XPEER_STATE.agent.lock" agent --metrics-port 0 --ticks 1
expect_refused "a metrics port above 65535" InvalidMetricsPort.OutOfRange agent --metrics-port 74000 --ticks 1
stop_agent
expect_refused "a missing token file" Agent.MetricsToken agent --metrics-port "$METRICS_PORT" --metrics-token-file "$E2E_TMP/none" --ticks 1

step "metrics: Prometheus names and labels, totals that survive a restart"
hook2=$(xp --account $C1 alert create --peering "$pcc" --metric bps --threshold 0 --for 1s --webhook "http://localhost:$HOOK_PORT/tenant")
start_agent
body=$(scrape)
grep -q '^# TYPE xpeer_peering_tx_bytes_total counter$' <<<"$body" && pass "typed counters" || fail "no TYPE line"
total=$(metric xpeer_peering_tx_bytes_total "direction=\"a_to_b\"")
grep -q "xpeer_peering_tx_bytes_total{peering=\"$pcc\",direction=\"a_to_b\",from_vpc=\"$vpc1\",to_vpc=\"$vpc2\",account=\"$C1\"}" <<<"$body" &&
  pass "labelled with peering, direction, VPCs and the sending account" || fail "labels: $(grep tx_bytes <<<"$body")"
[ "${total%.*}" = "$sent" ] && pass "after a restart the total is still $sent bytes" || fail "total after restart: $total, sent $sent"
sleep 1
rate=$(metric xpeer_peering_rate_bytes_per_second "direction=\"a_to_b\"")
[ -n "$rate" ] && pass "a rate over the last interval ($rate bytes/s)" || fail "no rate"
udp "$vpc1" "$vpc2" 192.168.1.2 1 2
sleep 1.5
stop_agent
history=$(xp --account $C1 --json alert history "$hook2" | jq -r '.[0].Delivery')
grep -q "^not delivered: Webhook.LocalAddress: localhost resolves to .*, a loopback address" <<<"$history" &&
  pass "a tenant's webhook to localhost is refused at delivery: $history" || fail "tenant webhook to localhost: $history"
grep -q '/tenant\|"alert":"'"$hook2"'"' "$HOOKS" && fail "the receiver got the tenant's POST" || pass "and the receiver got nothing"

step "the agent is its own program"
mkdir -p "$E2E_TMP/lone"
cp "$XPEER" "$E2E_TMP/lone/xpeer"
out=$("$E2E_TMP/lone/xpeer" agent --ticks 1 2>&1) && status=0 || status=$?
[ "$status" = 1 ] && grep -q "^error: Agent.CannotStart: xpeer agent: cannot run $E2E_TMP/lone/xpeer-agent: No such file" <<<"$out" &&
  pass "without xpeer-agent next to it, xpeer agent says so: $out" || fail "status $status: $out"
ldd "$XPEER" | grep -Eq 'libssl|libcrypto|httplib' && fail "the CLI links TLS/HTTP: $(ldd "$XPEER")" || pass "the CLI links no HTTP or TLS library"

step "top"
out=$(xp --account $C1 top --interval 200ms --count 1)
grep -q "$pcc" <<<"$out" && pass "top shows the connection" || fail "top: $out"
[ "$(xp --account 2003 top --interval 200ms --count 1 | grep -c "$pcc" || true)" = 0 ] && pass "and not to a third account" || fail "a third account sees it"

finish
