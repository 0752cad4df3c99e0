#!/usr/bin/env bash
# VPC traffic between the VMs: VPC A on h1, VPC B on h2, VPC C on this machine (h3), C peered
# with each; C reaches A and B through VXLAN between the hosts, and A and B stay apart
# (non-transit: no peering between them, none through C). Runs on h3 once every host is up.
# Usage: cross-host-demo.sh ETCD_URL
set -euo pipefail
export XPEER_ETCD=$1 XPEER_ACCOUNT=1234567890
# The agent's settings: the root namespace is the datapath namespace (an empty XPEER_DATAPATH_NETNS
# would read as unset).
xp() {
  printf '$ xpeer %s\n' "$*" >&2
  /xpeer/build/xpeer --datapath-netns "" "$@"
}
say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }

say "The hosts that share the store"
xp --operator host list
run=$(date +%s)
say "VPC A on h1, VPC B on h2, VPC C here on h3"
vpcA=$(xp vpc create --cidr 172.16.0.0/12 --name "a-$run")
vpcB=$(xp vpc create --cidr 192.168.0.0/16 --name "b-$run")
vpcC=$(xp vpc create --cidr 10.30.0.0/16 --name "c-$run")
vswA=$(xp vswitch create --vpc "$vpcA" --cidr 172.16.1.0/24 --host h1)
vswB=$(xp vswitch create --vpc "$vpcB" --cidr 192.168.1.0/24 --host h2)
vswC=$(xp vswitch create --vpc "$vpcC" --cidr 10.30.1.0/24 --host h3)
insts=("$(xp instance create --vswitch "$vswA" --ip 172.16.1.2)" "$(xp instance create --vswitch "$vswB" --ip 192.168.1.2)"
  "$(xp instance create --vswitch "$vswC" --ip 10.30.1.2)")
say "C peered with A and with B: each Activated once the hosts that carry it programmed it"
pca=$(xp peering create --vpc "$vpcC" --peer-vpc "$vpcA")
pcb=$(xp peering create --vpc "$vpcC" --peer-vpc "$vpcB")
xp route add --vpc "$vpcC" --destination 172.16.0.0/12 --next-hop "$pca" >/dev/null
xp route add --vpc "$vpcA" --destination 10.30.0.0/16 --next-hop "$pca" >/dev/null
xp route add --vpc "$vpcC" --destination 192.168.0.0/16 --next-hop "$pcb" >/dev/null
xp route add --vpc "$vpcB" --destination 10.30.0.0/16 --next-hop "$pcb" >/dev/null
xp route add --vpc "$vpcA" --destination 192.168.0.0/16 --next-hop "$pca" >/dev/null  # A tries B through C
xp events --peering "$pca"
say "From C (h3): A on h1 and B on h2, through VXLAN"
xp exec "$vpcC" -- ping -c 3 -I 10.30.1.2 172.16.1.2
xp exec "$vpcC" -- ping -c 3 -I 10.30.1.2 192.168.1.2
say "Counted on every host that sends, summed wherever you ask"
sleep 2  # each agent publishes its counters every --interval (1 s)
xp stats "$pca"
say "Leaving it as it was"
for p in "$pca" "$pcb"; do xp peering delete "$p" --force >/dev/null; done
for i in "${insts[@]}"; do xp instance delete "$i" >/dev/null; done
for v in "$vswA" "$vswB" "$vswC"; do xp vswitch delete "$v" >/dev/null; done
for v in "$vpcA" "$vpcB" "$vpcC"; do xp vpc delete "$v" >/dev/null; done
