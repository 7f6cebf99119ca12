#!/bin/bash
# run-world.sh - Ferry delivering into the simulated receiving world (bench/world/):
#   1. the world (DNS + receivers on 127.0.1.x / 127.0.2.0/22 port 25, counts over local HTTP),
#   2. Ferry in a temp data dir using the world's DNS, sending from 127.0.0.2 and 127.0.0.3,
#      per-site limits from the scenario, a fast retry schedule (RETRY), short timeouts,
#   3. the scenario's messages through the AUTH load source's sessions (bench/world/drive.ts),
#   4. bench/world/watch.ts until >= TARGET of the accepted recipients are delivered / bounced,
#      then the report: time to 99 %, deferrals per site, limits held, greylisting, plot.
# Results: bench/results/world-<time>.json (one record) and .svg (throughput + latency over time).
# Env: SCENARIO (bench/world/scenarios/mixed.yaml) N (the scenario's messages; <= 20000) CONC (50)
#      RETRY (5s,10s,20s*10) TARGET (0.99) TIMEOUT (600 s for the drain) FERRY_PORT (2560)
#      ADMIN_PORT (8060). Root (port 25, cgroup), loopback only, every process stopped by its pid.
set -u
. "$(dirname "$(readlink -f "$0")")/ferry-lib.sh"
SCENARIO=${SCENARIO:-$ROOT/bench/world/scenarios/mixed.yaml} RETRY=${RETRY:-5s,10s,20s*10}
TARGET=${TARGET:-0.99} TIMEOUT=${TIMEOUT:-600} FERRY_PORT=${FERRY_PORT:-2560} ADMIN_PORT=${ADMIN_PORT:-8060}
LOG_LEVEL=${LOG_LEVEL:-warn} WORLD_PID= WORLD_DIR=
[ "$(id -u)" = 0 ] || die "needs root (receivers on port 25, cgroup CPU accounting)"
N=${N:-$(node -e 'import(process.argv[2]).then(async m=>console.log(m.parseScenario(require("fs").readFileSync(process.argv[1],"utf8")).messages))' "$SCENARIO" "$ROOT/bench/world/scenario.ts")}
((N >= 1 && N <= 20000)) || die "keep runs bounded: N <= 20000"
require_ferry

# write_config DIR: replaces ferry-lib's bench config (sourced above) with the world's.
write_config() {
  local settings limits sites
  settings=$(node "$ROOT/bench/world/ferry-sites.ts" "$SCENARIO") || die "bad scenario"
  limits=$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).limits))' "$settings")
  sites=$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).sites))' "$settings")
  cat >"$1/bench.yaml" <<EOF
nodeId: world-1
dataDir: $1/data
log: { level: $LOG_LEVEL }
ingress:
  host: 127.0.0.1
  hostname: relay.bench.test
  submission: { enabled: true, port: $FERRY_PORT }
  smtps: { enabled: false, port: $((FERRY_PORT + 1)) }
  limits: { maxConnectionsPerTenant: 1000, maxConnections: 2000, maxRecipients: 1000 }
egress:
  ips: [{ address: 127.0.0.2, helo: out1.bench.test }, { address: 127.0.0.3, helo: out2.bench.test }]
  pools: { shared: [127.0.0.2, 127.0.0.3] }
dns: { servers: ["$WORLD_DNS"], timeout: 2s, negativeTtl: 5m }
delivery:
  routes: {}
  retrySchedule: "$RETRY"
  maxQueueLifetime: 30m
  limits: $limits
  sites: $sites
  timeouts: { connect: 5s, greeting: 5s, command: 30s, data: 60s, idle: 5s }
  bounceDomain: bounces.bench.test
admin: { enabled: true, host: 127.0.0.1, port: $ADMIN_PORT }
metrics: { enabled: false }
EOF
}

world_start() {
  WORLD_DIR=$(mktemp -d /tmp/ferryworld.XXXXXX)
  node "$ROOT/bench/world/world.ts" --scenario "$SCENARIO" --port 25 --ready-file "$WORLD_DIR/ready.json" \
    --counts-file "$WORLD_DIR/counts.json" >"$WORLD_DIR/world.log" 2>&1 & WORLD_PID=$!
  local i; for ((i = 0; i < 300; i++)); do [ -s "$WORLD_DIR/ready.json" ] && break; kill -0 "$WORLD_PID" 2>/dev/null || break; sleep 0.1; done
  [ -s "$WORLD_DIR/ready.json" ] || { cat "$WORLD_DIR/world.log" >&2; die "the world did not start"; }
  WORLD_DNS=$(json_get "$(cat "$WORLD_DIR/ready.json")" dns) WORLD_HTTP=$(json_get "$(cat "$WORLD_DIR/ready.json")" httpPort)
}
world_stop() { [ -n "$WORLD_PID" ] && { kill -TERM "$WORLD_PID" 2>/dev/null; wait "$WORLD_PID" 2>/dev/null; }; WORLD_PID=; }

# Own cgroup name: ferry-lib's "ferry" cgroup may belong to another bench run right now.
world_ferry_start() {
  port_free "$FERRY_PORT" || die "port $FERRY_PORT busy"
  cg_init world-ferry
  (cg_run node $RELAY_NODE_ARGS "$ROOT/src/cli.ts" serve) >"$FERRY_DATA/ferry.log" 2>&1 & FERRY_PID=$!
  wait_port 127.0.0.1 "$FERRY_PORT" 60 || { tail -20 "$FERRY_DATA/ferry.log" >&2; die "Ferry did not open 127.0.0.1:$FERRY_PORT"; }
}
cleanup() {
  ferry_stop; world_stop
  [ -n "$FERRY_DATA" ] && { cp "$FERRY_DATA/ferry.log" /tmp/ferryworld-ferry-last.log 2>/dev/null; rm -rf "$FERRY_DATA"; }
  [ -n "$WORLD_DIR" ] && { cp "$WORLD_DIR/world.log" /tmp/ferryworld-world-last.log 2>/dev/null; rm -rf "$WORLD_DIR"; }
}
trap cleanup EXIT

stamp=$(date +%Y%m%d-%H%M%S); mkdir -p "$RESULTS_DIR"
OUT_JSON=$RESULTS_DIR/world-$stamp.json OUT_SVG=$RESULTS_DIR/world-$stamp.svg
world_start
ferry_prepare auth
token=$(ferry --json admin token add --name world-bench --scopes read 2>>"$FERRY_DATA/cli.log" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token??""))')
[ -n "$token" ] || { cat "$FERRY_DATA/cli.log" >&2; die "admin token add failed"; }
world_ferry_start
read -r load_before _ </proc/loadavg; machine=$(machine_json)
echo "== world $(basename "$SCENARIO" .yaml): N $N, CONC $CONC, retry $RETRY, load $load_before" >&2
cpu0=$(cg_cpu_ns); j0=$(busy_jiffies); start_ms=$(date +%s%3N)
node "$ROOT/bench/world/drive.ts" --scenario "$SCENARIO" --target 127.0.0.1:"$FERRY_PORT" --auth "$BENCH_AUTH" --messages "$N" \
  --connections "$CONC" --run-id "$stamp" --accept-log "$FERRY_DATA/accept.tsv" --timeout "$TIMEOUT" >"$FERRY_DATA/drive.json" 2>"$FERRY_DATA/drive.err"
[ -s "$FERRY_DATA/drive.json" ] || { cat "$FERRY_DATA/drive.err" >&2; die "the driver printed no result"; }
echo "drive: $(cat "$FERRY_DATA/drive.json")" >&2
read -r load_mid _ </proc/loadavg
node "$ROOT/bench/world/watch.ts" --scenario "$SCENARIO" --api "http://127.0.0.1:$ADMIN_PORT" --token "$token" \
  --world-http "$WORLD_HTTP" --accept-log "$FERRY_DATA/accept.tsv" --drive-json "$FERRY_DATA/drive.json" --start-ms "$start_ms" \
  --target "$TARGET" --timeout "$TIMEOUT" --out-json "$OUT_JSON.tmp" --out-svg "$OUT_SVG" --progress-log "$FERRY_DATA/progress.log" >"$FERRY_DATA/report.json"
rc=$?
cpu1=$(cg_cpu_ns); j1=$(busy_jiffies); end_ms=$(date +%s%3N); read -r load_after _ </proc/loadavg
extra=$(printf '{"machine":%s,"loadavg":{"before":%s,"afterDrive":%s,"end":%s},"relayCpuSeconds":%s,"boxCpuSeconds":%s,"wallSeconds":%s,"retrySchedule":"%s","connections":%s}' \
  "$machine" "$load_before" "$load_mid" "$load_after" "$(awk -v c=$((cpu1 - cpu0)) 'BEGIN{print c/1e9}')" \
  "$(awk -v j=$((j1 - j0)) 'BEGIN{print j/100}')" "$(awk -v a="$start_ms" -v b="$end_ms" 'BEGIN{print (b-a)/1000}')" "$RETRY" "$CONC")
[ -s "$OUT_JSON.tmp" ] && node -e 'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1],"utf8"));fs.writeFileSync(process.argv[2],JSON.stringify({...r,...JSON.parse(process.argv[3])})+"\n")' "$OUT_JSON.tmp" "$OUT_JSON" "$extra"
rm -f "$OUT_JSON.tmp"
cat "$FERRY_DATA/report.json"; echo "$extra" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const e=JSON.parse(s);console.log(JSON.stringify({loadavg:e.loadavg,relayCpuSeconds:e.relayCpuSeconds,wallSeconds:e.wallSeconds}))})'
echo "results: $OUT_JSON $OUT_SVG" >&2
exit $rc
