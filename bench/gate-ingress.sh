#!/bin/bash
# gate-ingress.sh - the cost of the credit gate: ingress msg/s with the embedded store vs Redis
# (metered or not, with a rate limit) and Redis round trips per message (INFO commandstats).
# Starts its own redis-server and `ferry serve` processes on loopback; see bench/gate-ingress.ts.
# Env: MESSAGES (3000) SESSIONS (20). Output: a markdown table on stdout (for bench/RESULTS.md).
set -eu
ROOT=$(dirname "$(readlink -f "$0")")/..
export PATH=$ROOT/node_modules/.bin:$PATH
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec node "$ROOT/bench/gate-ingress.ts" --messages "${MESSAGES:-3000}" --sessions "${SESSIONS:-20}"
