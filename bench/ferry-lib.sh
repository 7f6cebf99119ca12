# ferry-lib.sh - helpers sourced by bench/run-*.sh (bash, root): Ferry in a temp data dir with a
# bench config (ingress 127.0.0.1:$FERRY_PORT, delivery route * -> 127.0.0.1:2526), its tenant,
# API key, DKIM domain made through the CLI, the counting smtp-sink, machine info as JSON.
# Sources the peer harness ../shared/bench/peers/lib.sh (cgroups, wait_port, busy_jiffies).
# Invariants: loopback addresses only; every process started here is stopped by its pid
# (ferry_stop, sink_stop); every wait is bounded.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$(cd "$ROOT/../shared/bench/peers" 2>/dev/null && pwd)}
[ -f "$PEERS/lib.sh" ] || { echo "peer harness not found (set PEERS=dir of run-postfix.sh)" >&2; exit 1; }
. "$PEERS/lib.sh"
export PATH=$ROOT/node_modules/.bin:$PATH
FERRY_PORT=${FERRY_PORT:-2540} OUT_CONC=${OUT_CONC:-50} LOG_LEVEL=${LOG_LEVEL:-info}
TENANT=${TENANT:-bench} SENDER_DOMAIN=example.com
WARM=${WARM:-1000} CONC=${CONC:-50} TIMEOUT=${TIMEOUT:-600} DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-300}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
# RELAY_NODE_ARGS (not FERRY_*: the config loader refuses unknown FERRY_ variables): extra node flags for the relay, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
# (the profile is written when the relay exits after SIGTERM; summarise: bench/profile-summary.ts).
RELAY_NODE_ARGS=${RELAY_NODE_ARGS:-}
# INGRESS_PROCS: processes accepting SMTP (ingress.processes; 2 = the relay + one ingress-only worker on this 2-core box)
INGRESS_PROCS=${INGRESS_PROCS:-1}
# DKIM=0: the sender domain is added with --no-dkim, so Ferry relays unsigned (the same work as Postfix without OpenDKIM)
DKIM=${DKIM:-1}
FERRY_PID= SINK_PID= FERRY_DATA=

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
ferry() { node "$ROOT/src/cli.ts" "$@"; }

# require_ferry: fail clearly (exit 3) when the relay cannot be started from this tree yet.
require_ferry() {
  [ -f "$ROOT/src/cli.ts" ] || { echo "Ferry is not available yet: $ROOT/src/cli.ts missing" >&2; exit 3; }
  local err
  err=$(cd "$ROOT" && node -e "await import('./src/main.ts')" 2>&1) ||
    { echo "Ferry is not available yet: src/main.ts does not load:" >&2; echo "$err" | grep -m3 -E 'Error|Cannot' >&2; exit 3; }
}

# write_config DATA_DIR: the bench override file (merged over config/default.yaml).
write_config() {
  cat >"$1/bench.yaml" <<EOF
nodeId: bench-1
dataDir: $1/data
log: { level: $LOG_LEVEL }
ingress:
  host: 127.0.0.1
  hostname: relay.bench.test
  submission: { enabled: true, port: $FERRY_PORT }
  smtps: { enabled: false, port: $((FERRY_PORT + 1)) }
  processes: $INGRESS_PROCS
  limits: { maxConnectionsPerTenant: 1000, maxConnections: 2000, maxRecipients: 1000 }
egress:
  ips: [{ address: 127.0.0.1, helo: relay.bench.test }]
  pools: { shared: [127.0.0.1] }
dns: { servers: ["127.0.0.1:5399"], timeout: 1s }
delivery:
  routes: { "*": "127.0.0.1:$SINK_PORT" }
  limits: { maxConnections: $OUT_CONC, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 }
  bounceDomain: bounces.bench.test
EOF
}

# ferry_prepare [auth|relay] [DIR]: fresh data dir (DIR, wiped, else a new temp dir), config,
# tenant + API key + DKIM domain via the CLI. Sets FERRY_DATA, exports FERRY_CONFIG and
# BENCH_AUTH (tenant:key, read by the load source). With "relay": the tenant also relays
# 127.0.0.0/8 without AUTH (for smtp-source).
ferry_prepare() {
  if [ -n "${2:-}" ]; then FERRY_DATA=$2; rm -rf "$FERRY_DATA"; mkdir -p "$FERRY_DATA"
  else FERRY_DATA=$(mktemp -d /tmp/ferrybench.XXXXXX); fi
  mkdir -p "$FERRY_DATA/data"
  write_config "$FERRY_DATA"; export FERRY_CONFIG=$FERRY_DATA/bench.yaml
  ferry tenant add "$TENANT" >"$FERRY_DATA/cli.log" 2>&1 || { cat "$FERRY_DATA/cli.log" >&2; die "tenant add failed"; }
  local key
  key=$(ferry --json key add "$TENANT" 2>>"$FERRY_DATA/cli.log" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).key??""))') ||
    true
  [ -n "$key" ] || { cat "$FERRY_DATA/cli.log" >&2; die "key add gave no key"; }
  export BENCH_AUTH="$TENANT:$key"
  local signing=; [ "$DKIM" = 0 ] && signing=--no-dkim
  ferry domain add "$TENANT" "$SENDER_DOMAIN" $signing >>"$FERRY_DATA/cli.log" 2>&1 || { cat "$FERRY_DATA/cli.log" >&2; die "domain add failed"; }
  if [ "${1:-}" = relay ]; then
    ferry tenant relay-networks "$TENANT" 127.0.0.0/8 >>"$FERRY_DATA/cli.log" 2>&1 || { cat "$FERRY_DATA/cli.log" >&2; die "relay-networks failed"; }
  fi
}

# ferry_start: `ferry serve` in cgroup peerbench-ferry (CPU measured), wait for the port.
ferry_start() {
  port_free "$FERRY_PORT" || die "port $FERRY_PORT busy"
  cg_init ferry
  (cg_run node $RELAY_NODE_ARGS "$ROOT/src/cli.ts" serve) >"$FERRY_DATA/ferry.log" 2>&1 & FERRY_PID=$!
  wait_port 127.0.0.1 "$FERRY_PORT" 60 || { tail -20 "$FERRY_DATA/ferry.log" >&2; die "Ferry did not open 127.0.0.1:$FERRY_PORT"; }
  ferry_wait_started "$FERRY_DATA/ferry.log"
}

# ferry_wait_started LOG: until the relay logged "ferry relay started" (60 s). The port answers
# before the ingress worker processes (ingress.processes > 1) listen: a load started at the port
# would open its reused connections to the primary alone.
ferry_wait_started() {
  local i; for ((i = 0; i < 600; i++)); do grep -q '"ferry relay started"' "$1" 2>/dev/null && return 0; sleep 0.1; done
  tail -20 "$1" >&2; die "Ferry did not log that it started"
}

# ferry_stop: SIGTERM (graceful drain), then SIGKILL after 20 s; drop the cgroup; keep the log.
ferry_stop() {
  [ -n "$FERRY_PID" ] || return 0
  kill -TERM "$FERRY_PID" 2>/dev/null
  local i; for ((i = 0; i < 200; i++)); do kill -0 "$FERRY_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$FERRY_PID" 2>/dev/null; wait "$FERRY_PID" 2>/dev/null; FERRY_PID=
  cg_drop
}

# ferry_cleanup: stop everything and remove the temp data dir (the log is copied first).
ferry_cleanup() {
  ferry_stop; sink_stop
  if [ -n "$FERRY_DATA" ] && [ -d "$FERRY_DATA" ]; then
    cp "$FERRY_DATA/ferry.log" "$PB/ferry-last.log" 2>/dev/null
    rm -rf "$FERRY_DATA"; FERRY_DATA=
  fi
}

# sink_start TOTAL [DUMP_DIR]: counting smtp-sink on 127.0.0.1:2526, exits after TOTAL messages;
# with DUMP_DIR every message is also written there (for accept -> delivered latency).
sink_start() {
  port_free "$SINK_PORT" || die "sink port $SINK_PORT busy"
  local dump=()
  if [ -n "${2:-}" ]; then mkdir -p "$2"; chmod 777 "$2"; dump=(-d "$2/m."); fi
  smtp-sink -u nobody -c -M "$1" "${dump[@]}" 127.0.0.1:"$SINK_PORT" 1024 >"$PB/ferry-sink.out" 2>&1 & SINK_PID=$!
  wait_port 127.0.0.1 "$SINK_PORT" 5 || die "smtp-sink did not start"
}
sink_count() { tr '\r' '\n' <"$PB/ferry-sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2; }
# sink_wait COUNT SECS: until the sink counted COUNT messages (0) or SECS passed (1).
sink_wait() {
  local i n; for ((i = 0; i < $2 * 20; i++)); do
    n=$(sink_count); [ "${n:-0}" -ge "$1" ] && return 0
    kill -0 "$SINK_PID" 2>/dev/null || { n=$(sink_count); [ "${n:-0}" -ge "$1" ]; return; }
    sleep 0.05
  done; return 1
}
sink_stop() { [ -n "$SINK_PID" ] && { kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null; }; SINK_PID=; }

# load_source ARGS...: the Node load source against Ferry (STARTTLS + AUTH by default).
load_source() { node "$ROOT/bench/load/source.ts" --target 127.0.0.1:"$FERRY_PORT" "$@"; }

# load_source_plain ARGS...: the load source straight at the sink (plain, no AUTH): harness ceiling.
load_source_plain() { node "$ROOT/bench/load/source.ts" --target 127.0.0.1:"$SINK_PORT" --tls none --no-auth "$@"; }

# machine_json: one JSON object describing the box and its load right now.
machine_json() {
  local load; read -r l1 l5 l15 _ </proc/loadavg; load="[$l1,$l5,$l15]"
  printf '{"nproc":%s,"node":"%s","kernel":"%s","memGiB":%s,"cpu":"%s","loadavg":%s,"gitRev":"%s","srcHash":"%s"}' \
    "$(nproc)" "$(node --version)" "$(uname -r)" \
    "$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)" \
    "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo | tr -d '"')" "$load" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)" "$(src_hash)"
}
# src_hash: hash of every src/**/*.ts as it is now (the tree changes between commits too).
src_hash() { (cd "$ROOT" && find src -type f -name '*.ts' | sort | xargs cat 2>/dev/null | sha1sum | cut -c1-12); }

# append_result FILE JSON: one line per run in bench/results/*.jsonl (gitignored).
append_result() { mkdir -p "$(dirname "$1")"; printf '%s\n' "$2" >>"$1"; }

# json_get JSON PATH: one field (dotted path) of a JSON document, "null" if absent.
json_get() { node -e 'let v=JSON.parse(process.argv[1]);for(const k of process.argv[2].split("."))v=v==null?v:v[k];process.stdout.write(String(v??"null"))' "$1" "$2"; }

# ferry_measure KIND SIZE N OUT: one Ferry run, fresh data dir. KIND=ingress (count only) or e2e
# (sink dumps to /dev/shm, accept -> delivered latency joined). Load: CONC authenticated STARTTLS
# sessions, WARM untimed messages first on the same connections, then N timed (paced to RATE
# msg/s over all sessions when RATE is set, e.g. half of the peak for the latency target). Appends the JSON
# record (bench/load/run-record.ts) to OUT and keeps it in LAST_RECORD; returns 1 if the run failed.
# Call it directly, not in $(...): the EXIT trap must see the pids it started.
ferry_measure() {
  local kind=$1 size=$2 n=$3 out=$4 dump= acc= lat= hold src rc=0 label
  label=ferry-$kind$([ "$DKIM" = 0 ] && echo -nodkim)-s$size
  ferry_prepare
  hold=$FERRY_DATA/hold src=$FERRY_DATA/source.json
  if [ "$kind" = e2e ]; then dump=$(mktemp -d /dev/shm/ferrybench-sink.XXXXXX) acc=$FERRY_DATA/accept.tsv lat=$FERRY_DATA/latency.json; fi
  sink_start $((WARM + n)) "$dump"
  ferry_start
  load_source --tls "${TLS:-starttls}" --connections "$CONC" --size "$size" --messages "$n" --warmup "$WARM" --rate "${RATE:-0}" \
    --hold-after-warmup "$hold" ${acc:+--accept-log "$acc"} --run-id "r$RANDOM$RANDOM" --label "$label" \
    --timeout "$TIMEOUT" >"$src" 2>"$FERRY_DATA/source.err" & local sp=$!
  local i; for ((i = 0; i < 600; i++)); do [ -e "$hold" ] && break; kill -0 $sp 2>/dev/null || break; sleep 0.1; done
  [ -e "$hold" ] || { cat "$FERRY_DATA/source.err" >&2; ferry_cleanup; die "warm-up did not finish"; }
  sink_wait "$WARM" 120 || { ferry_cleanup; die "warm-up messages were not delivered to the sink"; }
  local load_before cpu0 j0 t0 cpu1 j1 t2=fail
  read -r load_before _ </proc/loadavg
  cpu0=$(cg_cpu_ns); j0=$(busy_jiffies); t0=$(now)
  rm -f "$hold"
  wait $sp || rc=1
  sink_wait $((WARM + n)) "$DRAIN_TIMEOUT" && t2=$(now)
  cpu1=$(cg_cpu_ns); j1=$(busy_jiffies)
  [ "$t2" = fail ] && rc=1
  [ -s "$src" ] || { cat "$FERRY_DATA/source.err" >&2; ferry_cleanup; die "load source printed no result"; }
  [ -n "$dump" ] && node "$ROOT/bench/load/e2e-latency.ts" "$acc" "$dump" >"$lat"
  node "$ROOT/bench/load/run-record.ts" --kind "$kind" --label "$label" --out-conc "$OUT_CONC" \
    --machine "$(machine_json)" --source "$src" ${lat:+--latency "$lat"} --t0 "$t0" --t-delivered "$t2" \
    --delivered $(($(sink_count) - WARM)) --relay-cpu-s "$(awk -v c=$((cpu1 - cpu0)) 'BEGIN{print c/1e9}')" \
    --box-cpu-s "$(awk -v j=$((j1 - j0)) 'BEGIN{print j/100}')" --load-before "$load_before" >"$FERRY_DATA/record.json" || rc=1
  LAST_RECORD=$(cat "$FERRY_DATA/record.json"); append_result "$out" "$LAST_RECORD"
  ferry_cleanup; [ -n "$dump" ] && rm -rf "$dump"
  return $rc
}

# peer_run OUT TSV SCRIPT [ENV=VAL...]: run one ../shared/bench/peers script (run-postfix.sh,
# run-relay.sh) with N/SIZE/CONC/WARM, its TSV line into TSV, and the same line as JSON (with
# machine info) into OUT. Returns the script's status.
peer_run() {
  local out=$1 tsv=$2 script=$3 rc machine; shift 3
  machine=$(machine_json)
  env N="$N" SIZE="$SIZE" CONC="$CONC" WARM="$WARM" RESULTS="$tsv" "$@" bash "$PEERS/$script"; rc=$?
  [ -s "$tsv" ] && append_result "$out" "$(node -e '
    const [head, ...rows] = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
    const cols = head.split("\t"), last = rows.at(-1).split("\t");
    const peer = Object.fromEntries(cols.map((c, i) => [c, isNaN(Number(last[i])) || last[i] === "" ? last[i] : Number(last[i])]));
    console.log(JSON.stringify({ ts: new Date().toISOString(), kind: "peer", label: peer.label, ok: peer.e2e_s !== "fail", script: process.argv[3], peer, machine: JSON.parse(process.argv[2]) }));
  ' "$tsv" "$machine" "$script")"
  return $rc
}
