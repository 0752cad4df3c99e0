#!/usr/bin/env bash
# Every tracked C, C++ and BPF source is as clang-format writes it: .clang-format for the C++,
# bpf/.clang-format and include/xpeer/.clang-format (the kernel's style) for the BPF side.
# Fix with: tools/format
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format-14 || command -v clang-format) || { echo "format: clang-format is not installed (tools/install-deps)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp')
[ ${#files[@]} -gt 0 ] || { echo "format: no sources found (not a git checkout?)" >&2; exit 1; }
if ! "$format" --dry-run --Werror "${files[@]}"; then
  echo "format: the files above differ from what $("$format" --version) writes; run tools/format" >&2
  exit 1
fi
echo "format: ${#files[@]} files as clang-format writes them"
