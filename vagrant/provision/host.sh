#!/usr/bin/env bash
# A host of the multi-host VMs: builds xpeer, and runs `xpeer agent` as a service against the
# etcd machine, with the private network's interface as its underlay and the root namespace as
# its datapath namespace (the vSwitch veths beside the NIC, as on a real host).
# Usage: host.sh NAME ADDRESS ETCD_URL
set -euo pipefail
name=$1 addr=$2 etcd=$3
cd /xpeer
tools/install-deps
systemctl disable --now etcd  # installed with the packages; the store is the etcd machine's
source tools/lib.sh
xpeer_mount_bpffs
xpeer_build
underlay=$(ip -o -4 addr show | awk -v a="$addr" '$4 ~ "^" a "/" { print $2 }')
[ -n "$underlay" ] || { echo "no interface holds $addr" >&2; exit 1; }
# A VPC's 1,500-byte frames inside VXLAN over IPv4 need 1,550 bytes (the agent refuses less).
cat >/etc/systemd/system/xpeer-agent.service <<UNIT
[Unit]
Description=xpeer agent: host $name
After=network-online.target
Wants=network-online.target

[Service]
Environment=XPEER_ETCD=$etcd
ExecStartPre=/sbin/ip link set $underlay mtu 1600
ExecStart=$XPEER_BIN --datapath-netns "" agent --host $name --underlay $underlay --region cn-hangzhou
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now xpeer-agent
until XPEER_ETCD=$etcd "$XPEER_BIN" --datapath-netns "" --operator --json host list | jq -e --arg h "$name" '.[] | select(.HostName == $h and .LeaseAlive)' >/dev/null; do
  sleep 0.5
done
echo "host $name registered, underlay $underlay ($addr)"
