#!/bin/bash
# run.sh - `npm run bench -- SCENARIO [ARGS]`: runs bench/run-SCENARIO.sh (ceiling, ingress, e2e,
# world, growth); settings go in the environment as each script's header says, e.g.
# `QUEUED="0 100000" npm run bench -- growth`. Without a scenario: lists them.
set -u
dir=$(dirname "$(readlink -f "$0")")
name=${1:-}
if [ -z "$name" ] || [ ! -f "$dir/run-$name.sh" ]; then
  echo "usage: npm run bench -- SCENARIO   (one of: $(cd "$dir" && ls run-*.sh | sed 's/^run-//; s/\.sh$//' | tr '\n' ' '))" >&2
  exit 2
fi
shift
exec bash "$dir/run-$name.sh" "$@"
