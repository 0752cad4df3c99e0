#!/usr/bin/env bash
# The etcd machine of the multi-host VMs: Debian's etcd-server, one member, on the private network.
# Usage: etcd.sh ADDRESS
set -euo pipefail
addr=$1
/xpeer/tools/install-deps
cat >/etc/default/etcd <<CONF
ETCD_NAME=xpeer
ETCD_DATA_DIR=/var/lib/etcd/xpeer
ETCD_LISTEN_CLIENT_URLS=http://$addr:2379,http://127.0.0.1:2379
ETCD_ADVERTISE_CLIENT_URLS=http://$addr:2379
CONF
systemctl restart etcd
until curl -sf "http://$addr:2379/health" | grep -q '"health":"true"'; do sleep 0.5; done
echo "etcd answers at http://$addr:2379"
