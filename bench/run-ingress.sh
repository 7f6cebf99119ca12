#!/bin/bash
# run-ingress.sh - Ferry ingress throughput with AUTHENTICATED load: bench/load/source.ts
# (CONC STARTTLS sessions, AUTH PLAIN once each, pipelining) -> Ferry (fresh temp data dir per run,
# DKIM domain, delivery route * -> smtp-sink 127.0.0.1:2526) for each size in SIZES.
# One JSON line per run in bench/results/ingress-<time>.jsonl, then a markdown table.
# Env: SIZES ("5000 1000 50000 500000") N (5000; N_LARGE=500 for >= 500 KB) CONC (50) WARM (1000)
#      OUT_CONC (50) FERRY_PORT (2540) TLS (starttls|implicit|none) LOG_LEVEL (info) TIMEOUT (600 s).
# Needs root (cgroups, smtp-sink -u nobody) and ../shared/bench/peers/setup.sh done. Loopback only.
set -u
. "$(dirname "$(readlink -f "$0")")/ferry-lib.sh"
SIZES=${SIZES:-5000 1000 50000 500000} N=${N:-5000} N_LARGE=${N_LARGE:-500}
[ "$(id -u)" = 0 ] || die "needs root (cgroups, smtp-sink -u nobody)"
((N >= 1 && N <= 20000 && N_LARGE <= 5000)) || die "keep runs bounded: N <= 20000, N_LARGE <= 5000"
command -v smtp-sink >/dev/null || die "smtp-sink missing: run $PEERS/setup.sh"
require_ferry
trap ferry_cleanup EXIT
OUT=$RESULTS_DIR/ingress-$(date +%Y%m%d-%H%M%S).jsonl
failed=0
for size in $SIZES; do
  n=$N; ((size >= 500000)) && n=$N_LARGE
  echo "== ferry ingress: size $size, N $n, CONC $CONC" >&2
  ferry_measure ingress "$size" "$n" "$OUT" || { failed=$((failed + 1)); echo "run failed (log: $PB/ferry-last.log)" >&2; }
done
echo "results: $OUT" >&2
node "$ROOT/bench/load/report.ts" --jsonl "$OUT"
exit $((failed > 0))
