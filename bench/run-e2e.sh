#!/bin/bash
# run-e2e.sh - Ferry end to end next to Postfix, same N/SIZE/CONC, one invocation:
#   source : bench/load/source.ts (STARTTLS + AUTH) -> Ferry (DKIM on) -> smtp-sink 127.0.0.1:2526
#            (dumps to /dev/shm: accept -> delivered latency per message)
#   relay  : smtp-source (no AUTH, plain) -> Ferry (relay-network tenant, DKIM on) -> smtp-sink,
#            i.e. ../shared/bench/peers/run-relay.sh with RELAY_CMD=bench/ferry-serve.sh: the very
#            harness that measures Postfix
#   postfix: ../shared/bench/peers/run-postfix.sh with DKIM=1 and DKIM=0 (POSTFIX_DKIM picks)
# Then a markdown table with Ferry/Postfix ratios. Results: bench/results/e2e-<time>.{jsonl,tsv}.
# Env: MODES ("source relay postfix") SIZE (5000) N (5000) CONC (50) WARM (1000) OUT_CONC (50)
#      POSTFIX_DKIM ("1 0") DKIM (1; 0: Ferry's bench domain has no keys, mail leaves unsigned)
#      FERRY_PORT (2540) RATE (0 = as fast as possible; else msg/s for the source mode, e.g. half
#      of the peak for the accept-latency target). Root, loopback only, bounded (N <= 20000, TIMEOUT per run).
set -u
. "$(dirname "$(readlink -f "$0")")/ferry-lib.sh"
MODES=${MODES:-source relay postfix} SIZE=${SIZE:-5000} N=${N:-5000}
[ "$(id -u)" = 0 ] || die "needs root (cgroups, smtp-sink -u nobody, Postfix)"
((N >= 1 && N <= 20000)) || die "keep runs bounded: N <= 20000"
command -v smtp-sink >/dev/null || die "smtp-sink missing: run $PEERS/setup.sh"
case " $MODES " in *" source "* | *" relay "*) require_ferry ;; esac
trap 'ferry_cleanup; rm -rf "$PB/ferry-relay"' EXIT
stamp=$(date +%Y%m%d-%H%M%S)
OUT=$RESULTS_DIR/e2e-$stamp.jsonl TSV=$RESULTS_DIR/e2e-$stamp.tsv
mkdir -p "$RESULTS_DIR"; failed=0
for mode in $MODES; do
  case $mode in
    source)
      echo "== ferry e2e (AUTH source): size $SIZE, N $N, CONC $CONC" >&2
      ferry_measure e2e "$SIZE" "$N" "$OUT" || failed=$((failed + 1)) ;;
    relay)
      echo "== ferry via smtp-source (run-relay.sh): size $SIZE, N $N, CONC $CONC" >&2
      peer_run "$OUT" "$TSV" run-relay.sh RELAY_CMD="bash $ROOT/bench/ferry-serve.sh" \
        TARGET=127.0.0.1:"$FERRY_PORT" LABEL="ferry-relay-dkim1-s$SIZE" || failed=$((failed + 1))
      cp "$PB/relay.log" "$PB/ferry-relay-last.log" 2>/dev/null; rm -rf "$PB/ferry-relay" ;;
    postfix)
      for d in ${POSTFIX_DKIM:-1 0}; do
        echo "== postfix DKIM=$d: size $SIZE, N $N, CONC $CONC" >&2
        peer_run "$OUT" "$TSV" run-postfix.sh DKIM=$d OUT_CONC="$OUT_CONC" LABEL="postfix-dkim$d-s$SIZE" || failed=$((failed + 1))
      done ;;
    *) die "unknown mode $mode (source|relay|postfix)" ;;
  esac
done
echo "results: $OUT ${TSV}" >&2
[ -s "$OUT" ] && node "$ROOT/bench/load/report.ts" --jsonl "$OUT"
exit $((failed > 0))
