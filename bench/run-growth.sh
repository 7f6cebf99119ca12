#!/bin/bash
# run-growth.sh - issue 9 report 4, "Growth": how Ferry behaves as its queue and its destinations grow.
#   queue: for each N in QUEUED, a fresh data dir prefilled with N deferred 5 KB messages
#          (bench/growth/prefill.ts: accept + one failed attempt, next attempt in +1 day), then
#          spool bytes per queued message (du), start-to-serving (process start -> "220" banner on
#          the submission port), the run-ingress.sh load (CONC STARTTLS + AUTH sessions, WARM
#          warm-up, N_LOAD timed 5 KB messages, delivered to smtp-sink), RSS of the relay
#          (VmRSS / VmHWM / RssAnon / RssFile from /proc), the admin queue overview (spool.summary,
#          a full scan) timed, then SIGTERM and a second start-to-serving ("restart").
#   sites: for each K in SITES, bench/run-world.sh with a generated scenario of K receiving sites
#          (one domain + one MX receiver each, no provider rules): SITES_N 5 KB messages, per-site
#          maxConnections max(2, 50 / K); accepted msg/s and delivered msg/s (99 % final).
# One JSON line per point in bench/results/growth-<time>.jsonl, then a markdown table.
# Run: `npm run bench -- growth` (all of it, ~6 min on a quiet box) or e.g. `PARTS=queue QUEUED=100000 npm run bench -- growth`.
# Env: PARTS ("queue sites") QUEUED ("0 100000 1000000") N_LOAD (5000) CONC (50) WARM (1000)
#      SITES ("1 10 100 1000") SITES_N (5000) FERRY_PORT (2540) GROWTH_DIR (/tmp; needs ~9 KB of
#      disk per queued message) COLD_RESTART (0; 1 = a third start after dropping the page cache)
#      RELAY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=DIR"). Root, loopback only, bounded waits.
set -u
. "$(dirname "$(readlink -f "$0")")/ferry-lib.sh"
PARTS=${PARTS:-queue sites} QUEUED=${QUEUED:-0 100000 1000000} N_LOAD=${N_LOAD:-5000}
SITES=${SITES:-1 10 100 1000} SITES_N=${SITES_N:-5000} GROWTH_DIR=${GROWTH_DIR:-/tmp}
COLD_RESTART=${COLD_RESTART:-0} START_TIMEOUT=${START_TIMEOUT:-180} ADMIN_PORT=8025
[ "$(id -u)" = 0 ] || die "needs root (cgroups, smtp-sink -u nobody, port 25 for the sites part)"
((N_LOAD >= 1 && N_LOAD <= 20000 && SITES_N <= 20000)) || die "keep runs bounded: N_LOAD, SITES_N <= 20000"
for q in $QUEUED; do ((q >= 0 && q <= 2000000)) || die "QUEUED values must be 0..2000000"; done
command -v smtp-sink >/dev/null || die "smtp-sink missing: run $PEERS/setup.sh"
require_ferry
trap ferry_cleanup EXIT
OUT=$RESULTS_DIR/growth-$(date +%Y%m%d-%H%M%S).jsonl

# banner_ok: one connection to the submission port answers with a 220 greeting.
banner_ok() { (exec 3<>"/dev/tcp/127.0.0.1/$FERRY_PORT" && read -r -t 3 line <&3 && [[ $line == 220* ]]) 2>/dev/null; }

# growth_start: `ferry serve` in its own cgroup; SERVE_S = seconds from launch to the first 220.
growth_start() {
  port_free "$FERRY_PORT" || die "port $FERRY_PORT busy"
  cg_init growth-ferry
  local t0 i; t0=$(now)
  (cg_run node $RELAY_NODE_ARGS "$ROOT/src/cli.ts" serve) >>"$FERRY_DATA/ferry.log" 2>&1 & FERRY_PID=$!
  for ((i = 0; i < START_TIMEOUT * 20; i++)); do
    banner_ok && break
    kill -0 "$FERRY_PID" 2>/dev/null || { tail -20 "$FERRY_DATA/ferry.log" >&2; die "Ferry exited during start"; }
    sleep 0.05
  done
  banner_ok || { tail -20 "$FERRY_DATA/ferry.log" >&2; die "Ferry did not greet on $FERRY_PORT within $START_TIMEOUT s"; }
  SERVE_S=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')
}

# mem_json: the relay's memory now, MB, as JSON (VmHWM = peak RSS since start; RssFile = mapped
# LMDB pages, which the kernel may reclaim; RssAnon = the heap and other private memory).
mem_json() {
  awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/{gsub(":","",$1); v[$1]=$2/1024}
    END{printf "{\"vmRssMB\":%.1f,\"vmHwmMB\":%.1f,\"rssAnonMB\":%.1f,\"rssFileMB\":%.1f}", v["VmRSS"], v["VmHWM"], v["RssAnon"], v["RssFile"]}' "/proc/$FERRY_PID/status"
}

# anon_sampler FILE: peak RssAnon (MB) of the relay, sampled every 0.5 s, kept in FILE.
anon_sampler() {
  local peak=0 v
  while kill -0 "$FERRY_PID" 2>/dev/null; do
    v=$(awk '/^RssAnon:/{print int($2/1024)}' "/proc/$FERRY_PID/status" 2>/dev/null)
    [ -n "$v" ] && ((v > peak)) && { peak=$v; echo "$peak" >"$1"; }
    sleep 0.5
  done
}

# sink_wait_relay COUNT SECS: sink_wait in 5 s steps, giving up at once when the relay has exited.
sink_wait_relay() {
  local s; for ((s = 0; s < $2; s += 5)); do
    sink_wait "$1" 5 && return 0
    kill -0 "$FERRY_PID" 2>/dev/null || { echo "   the relay exited: $(tail -c 300 "$FERRY_DATA/ferry.log")" >&2; return 1; }
  done; return 1
}

# admin_token: a read token for the admin API (the queue overview), made through the CLI.
admin_token() {
  ferry --json admin token add --name growth-bench --scopes read 2>>"$FERRY_DATA/cli.log" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token??""))'
}

# queue_point QUEUED: one growth point; appends its record to OUT.
queue_point() {
  local queued=$1 prefill du_bytes token mem_idle mem_after mem_restart t0 t1 t2 sp rc=0 load_before overview_s cpu0 cpu1
  local hold src peak_file serve1 serve2 serve3 stop_s banner_wait_s mem_overview record i sampler cp tb
  ferry_prepare auth "$GROWTH_DIR/ferry-growth"
  token=$(admin_token)
  echo "== growth: prefill $queued deferred messages" >&2
  prefill=$(node "$ROOT/bench/growth/prefill.ts" --data-dir "$FERRY_DATA/data" --count "$queued") || die "prefill failed"
  sync; du_bytes=$(du -s --block-size=1 "$FERRY_DATA/data" | cut -f1)
  sink_start $((WARM + N_LOAD))
  growth_start; serve1=$SERVE_S
  sleep 2; mem_idle=$(mem_json)
  echo "   serving after $serve1 s, memory idle $mem_idle" >&2
  peak_file=$FERRY_DATA/anon-peak; anon_sampler "$peak_file" & sampler=$!
  hold=$FERRY_DATA/hold src=$FERRY_DATA/source.json
  load_source --tls starttls --connections "$CONC" --size 5000 --messages "$N_LOAD" --warmup "$WARM" --hold-after-warmup "$hold" \
    --run-id "g$RANDOM$RANDOM" --label "growth-q$queued" --timeout "$TIMEOUT" >"$src" 2>"$FERRY_DATA/source.err" & sp=$!
  for ((i = 0; i < 1200; i++)); do [ -e "$hold" ] && break; kill -0 $sp 2>/dev/null || break; sleep 0.1; done
  # A failed point (relay crash, warm-up not delivered) is recorded as failed; the next points still run.
  if [ ! -e "$hold" ] || ! sink_wait_relay "$WARM" 120; then
    cat "$FERRY_DATA/source.err" >&2; echo "   warm-up did not finish / was not delivered" >&2
    kill "$sp" "$sampler" 2>/dev/null; ferry_cleanup; return 1
  fi
  read -r load_before _ </proc/loadavg
  cpu0=$(cg_cpu_ns); t1=$(now); rm -f "$hold"
  wait $sp || rc=1
  sink_wait_relay $((WARM + N_LOAD)) "$DRAIN_TIMEOUT" || rc=1
  t2=$(now); cpu1=$(cg_cpu_ns)
  mem_after=$(mem_json)
  # The overview scans the spool on the relay's main thread: an SMTP greeting asked for meanwhile waits.
  t0=$(now); curl -sf -o "$FERRY_DATA/overview.json" -H "authorization: Bearer $token" "http://127.0.0.1:$ADMIN_PORT/v1/queues" & cp=$!
  sleep 0.05; tb=$(now); banner_ok; banner_wait_s=$(awk -v a="$tb" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')
  wait $cp || echo "   admin queue overview failed" >&2
  overview_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')
  mem_overview=$(mem_json)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  t0=$(now); ferry_stop; stop_s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')
  growth_start; serve2=$SERVE_S
  sleep 2; mem_restart=$(mem_json)
  echo "   restart: serving after $serve2 s, memory $mem_restart" >&2
  ferry_stop
  serve3=null
  if [ "$COLD_RESTART" = 1 ]; then
    sync; echo 3 >/proc/sys/vm/drop_caches
    growth_start; serve3=$SERVE_S; ferry_stop
    echo "   restart with a dropped page cache: serving after $serve3 s" >&2
  fi
  record=$(node "$ROOT/bench/growth/record.ts" --queued "$queued" --prefill "$prefill" --du-bytes "$du_bytes" --source "$src" \
    --serve-first-s "$serve1" --serve-restart-s "$serve2" --serve-cold-s "$serve3" --stop-s "$stop_s" \
    --mem-idle "$mem_idle" --mem-after "$mem_after" --mem-restart "$mem_restart" --mem-overview "$mem_overview" \
    --anon-peak-mb "$(cat "$peak_file" 2>/dev/null || echo 0)" --overview-s "$overview_s" --banner-during-overview-s "$banner_wait_s" --overview "$FERRY_DATA/overview.json" \
    --delivered $(($(sink_count) - WARM)) --e2e-s "$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')" \
    --relay-cpu-s "$(awk -v c=$((cpu1 - cpu0)) 'BEGIN{print c/1e9}')" --load-before "$load_before" --machine "$(machine_json)") || rc=1
  append_result "$OUT" "$record"
  ferry_cleanup
  return $rc
}

# sites_point K: bench/run-world.sh with K plain receiving sites; appends a summary record to OUT.
sites_point() {
  local k=$1 per=$((50 / $1)) scenario before after rc=0
  ((per < 2)) && per=2
  scenario=$(mktemp /tmp/ferry-growth-sites.XXXXXX.yaml)
  cat >"$scenario" <<EOF
name: sites-$k
messages: $SITES_N
sizes: "5k"
recipients: { "1": 1 }
sender: sender@example.com
seed: 9
sites:
  - name: site
    share: 100
    generatedDomains: { prefix: site, suffix: .growth.test, count: $k }
    smallHosting: { firstAddress: 127.0.2.1, refusedAddress: 127.0.9.1, silentAddress: 127.0.9.2 }
    receiver: { tls: true, unknownUserShare: 0 }
    ferry: { limits: { maxConnections: $per, maxMessagesPerConnection: 100 } }
EOF
  before=$(ls "$RESULTS_DIR"/world-*.json 2>/dev/null | sort | tail -1)
  echo "== growth: $k destination sites, $SITES_N messages, $per connections per site" >&2
  SCENARIO=$scenario N=$SITES_N CONC=$CONC TIMEOUT=$TIMEOUT bash "$ROOT/bench/run-world.sh" >"$PB/growth-world.out" 2>"$PB/growth-world.err" || rc=1
  after=$(ls "$RESULTS_DIR"/world-*.json 2>/dev/null | sort | tail -1)
  rm -f "$scenario"
  if [ -z "$after" ] || [ "$after" = "$before" ]; then tail -5 "$PB/growth-world.err" >&2; echo "   world run wrote no result" >&2; return 1; fi
  append_result "$OUT" "$(node "$ROOT/bench/growth/record.ts" --sites "$k" --per-site-connections "$per" --world "$after")" || rc=1
  return $rc
}

failed=0
for part in $PARTS; do
  case $part in
    queue) for q in $QUEUED; do queue_point "$q" || { failed=$((failed + 1)); echo "queue point $q failed" >&2; }; done ;;
    sites) for k in $SITES; do sites_point "$k" || { failed=$((failed + 1)); echo "sites point $k failed" >&2; }; done ;;
    *) die "unknown part $part (queue, sites)" ;;
  esac
done
echo "results: $OUT" >&2
node "$ROOT/bench/growth/record.ts" --report "$OUT"
exit $((failed > 0))
