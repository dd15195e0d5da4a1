#!/usr/bin/env bash
# Stops the broker started by broker-start.sh (SIGTERM, then waits for the PID to exit;
# SIGKILL after 20 s). Usage: scripts/broker-stop.sh [STATE_DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE="${1:-$ROOT/.run/broker}"
[[ -f "$STATE/pid" ]] || exit 0
PID="$(cat "$STATE/pid")"
if kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then
    echo "broker-stop: pid $PID ignored SIGTERM for 20 s; killing" >&2
    kill -KILL "$PID" 2>/dev/null || true
    while kill -0 "$PID" 2>/dev/null; do sleep 0.1; done
  fi
fi
rm -f "$STATE/pid"
