#!/bin/bash
# ferry-serve.sh - RELAY_CMD for ../shared/bench/peers/run-relay.sh: a fresh Ferry in
# $PB/ferry-relay (bench config, tenant with DKIM domain example.com and relay network
# 127.0.0.0/8, so smtp-source may send without AUTH), then `exec ferry serve` in the foreground
# on 127.0.0.1:$FERRY_PORT delivering everything to smtp-sink 127.0.0.1:2526.
set -u
. "$(dirname "$(readlink -f "$0")")/ferry-lib.sh"
require_ferry
ferry_prepare relay "$PB/ferry-relay"
exec node $RELAY_NODE_ARGS "$ROOT/src/cli.ts" serve
