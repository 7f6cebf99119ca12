#!/bin/bash
# run-ceiling.sh - the harness ceiling: load generators straight into Postfix's smtp-sink
# (127.0.0.1:2526, no relay in between), so any relay number far below it is the relay's, not
# the harness's. Per round: smtp-source (-d, 50 sessions) and bench/load/source.ts plain no-AUTH,
# with and without PIPELINING. One JSON line per run in bench/results/ceiling-<time>.jsonl.
# Env: N (10000, <= 20000) SIZE (5000) CONC (50) REPS (3). Root (smtp-sink -u nobody). Loopback only.
set -u
. "$(dirname "$(readlink -f "$0")")/ferry-lib.sh"
N=${N:-10000} SIZE=${SIZE:-5000} REPS=${REPS:-3}
[ "$(id -u)" = 0 ] || die "needs root (smtp-sink -u nobody)"
((N >= 1 && N <= 20000 && REPS <= 10)) || die "keep runs bounded: N <= 20000, REPS <= 10"
trap sink_stop EXIT
OUT=$RESULTS_DIR/ceiling-$(date +%Y%m%d-%H%M%S).jsonl
record() {  # record LABEL MSGPS SECONDS [SOURCE_JSON]
  append_result "$OUT" "{\"kind\":\"ceiling\",\"label\":\"$1\",\"n\":$N,\"size\":$SIZE,\"conc\":$CONC,\"msgPerSec\":$2,\"seconds\":$3,\"source\":${4:-null},\"machine\":$(machine_json)}"
  printf '%-28s %9s msg/s  (load %s)\n' "$1" "$2" "$(cut -d' ' -f1 /proc/loadavg)" >&2
}
for ((r = 1; r <= REPS; r++)); do
  sink_start $((N * 4)); t0=$(now)
  smtp-source -d -N -s "$CONC" -l "$SIZE" -f sender@example.com -t rcpt@example.net -m "$N" 127.0.0.1:"$SINK_PORT" || die "smtp-source failed"
  t1=$(now); s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
  record smtp-source "$(fdiv "$N" "$s")" "$s"
  for pipe in "" --no-pipelining; do
    j=$(load_source_plain --connections "$CONC" --messages "$N" --warmup 1000 --size "$SIZE" $pipe) || die "load source failed: $j"
    record "bench-source${pipe:+-nopipe}" "$(json_get "$j" msgPerSec)" "$(json_get "$j" wallSeconds)" "$j"
  done
  sink_stop
done
echo "results: $OUT" >&2
