# Shared by tools/demo, tools/test and tools/bench: root, packages, bpffs, build.
# Source it; it sets XPEER_ROOT, XPEER_BUILD and XPEER_BIN.

XPEER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XPEER_BUILD=${XPEER_BUILD:-$XPEER_ROOT/build}
XPEER_BIN=$XPEER_BUILD/xpeer

xpeer_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): run as root (namespaces, XDP and bpffs need it)" >&2
    exit 1
  fi
}

xpeer_mount_bpffs() {
  if ! mount -t bpf | grep -q ' /sys/fs/bpf '; then
    mount -t bpf bpf /sys/fs/bpf
  fi
}

xpeer_build() {
  cmake -S "$XPEER_ROOT" -B "$XPEER_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$XPEER_BUILD" -j"$(nproc)"
}

xpeer_setup() {
  xpeer_require_root
  "$XPEER_ROOT/tools/install-deps"
  xpeer_mount_bpffs
  xpeer_build
}
