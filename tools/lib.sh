# Shared by tools/demo, tools/test and tools/bench: root, packages, bpffs, build.
# Source it; it sets XPEER_ROOT, XPEER_BUILD and XPEER_BIN.

XPEER_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XPEER_BUILD=${XPEER_BUILD:-$XPEER_ROOT/build}
XPEER_BIN=$XPEER_BUILD/xpeer
XPEER_SANITIZE_BUILD=${XPEER_SANITIZE_BUILD:-$XPEER_ROOT/build-sanitize}

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

# Extra arguments go to cmake's configure step.
xpeer_build() {
  cmake -S "$XPEER_ROOT" -B "$XPEER_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$XPEER_BUILD" -j"$(nproc)"
}

# The C++ again, with clang, AddressSanitizer and UBSan, and the libFuzzer targets: only what
# the tests run (tools/test, tools/fuzz).
xpeer_build_sanitized() {
  cmake -S "$XPEER_ROOT" -B "$XPEER_SANITIZE_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DXPEER_FUZZ=ON >/dev/null
  cmake --build "$XPEER_SANITIZE_BUILD" -j"$(nproc)" --target xpeer_sanitized
}

xpeer_setup() {
  xpeer_require_root
  "$XPEER_ROOT/tools/install-deps"
  xpeer_mount_bpffs
  xpeer_build
}
