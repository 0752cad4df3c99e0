# Sourced by tools/bench: wall time per command, and a summary per kind of operation.
# timed KIND COMMAND... runs the command with its output in $OP_OUT and appends "KIND<TAB>µs" to
# $OP_TIMES. Bash's own clock (EPOCHREALTIME) is read around it: no process is started to time one.

timed() {
  local kind=$1 t0 t1
  shift
  t0=${EPOCHREALTIME//[.,]/}
  "$@" >"$OP_OUT"
  t1=${EPOCHREALTIME//[.,]/}
  printf '%s\t%s\n' "$kind" $((t1 - t0)) >>"$OP_TIMES"
}

# op_row KIND: "KIND  COUNT  MEDIAN  P99  MAX (ms)  TOTAL (s)" from $OP_TIMES.
op_row() {
  awk -F'\t' -v k="$1" '$1 == k { print $2 / 1000 }' "$OP_TIMES" | sort -g |
    awk -v k="$1" '{ v[NR] = $1; sum += $1 }
      END { if (!NR) exit; r = int(0.99 * NR); if (r < 0.99 * NR) r++; p99 = v[r];  # nearest rank
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%-34s %7d %10.1f %10.1f %10.1f %10.1f\n", k, NR, med, p99, v[NR], sum / 1000 }'
}

op_header() { printf '%-34s %7s %10s %10s %10s %10s\n' "OPERATION" "COUNT" "MEDIAN ms" "P99 ms" "MAX ms" "TOTAL s"; }

# spread: numbers on stdin -> "median (min-max)", one decimal.
spread() {
  sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
                   printf "%.1f (%.1f-%.1f)", m, v[1], v[NR] }'
}
