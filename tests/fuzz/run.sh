#!/usr/bin/env bash
# run.sh BINARY SEEDS WORKDIR SECONDS: runs one fuzz target for SECONDS from the seed corpus.
# Inputs it finds new go to WORKDIR/new (the seeds stay as they are), a crashing input to
# WORKDIR/crash-*; the exit status is the target's: non-zero on a finding.
set -euo pipefail
binary=$1 seeds=$2 workdir=$3 seconds=$4
if [ ! -x "$binary" ]; then
  echo "run.sh: $binary is missing: build the sanitizer build (tools/test or tools/fuzz make it)" >&2
  exit 1
fi
mkdir -p "$workdir/new"
exec "$binary" -max_total_time="$seconds" -timeout=10 -max_len=1600 -print_final_stats=1 \
  -artifact_prefix="$workdir/" "$workdir/new" "$seeds"
