#!/usr/bin/env bash
# Starts the embedded Kafka-compatible broker (Tansu, memory store) on 127.0.0.1.
# Usage: scripts/broker-start.sh [STATE_DIR] [PORT]
#   STATE_DIR (default .run/broker) receives pid, port, bootstrap and broker.log.
#   PORT defaults to a free port chosen by the kernel.
# Prints the bootstrap address (127.0.0.1:PORT) on stdout once the broker answers metadata requests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STATE="${1:-$ROOT/.run/broker}"
PORT="${2:-}"
TANSU="$ROOT/.tools/bin/tansu"
[[ -x "$TANSU" ]] || { echo "broker-start: $TANSU missing; run scripts/deps.sh" >&2; exit 1; }
mkdir -p "$STATE"

if [[ -f "$STATE/pid" ]] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
  echo "broker-start: already running (pid $(cat "$STATE/pid"))" >&2
  cat "$STATE/bootstrap"; exit 0
fi
[[ -n "$PORT" ]] || PORT="$(free_port)"
ADDR="127.0.0.1:$PORT"
GIVEN_PORT="${2:-}"

# Starts Tansu; returns 0 once it answers metadata, 2 if it could not bind the port, 1 otherwise.
start_once() {
  # Never the s3:// engine (it probes cloud metadata endpoints); never 0.0.0.0; no OTLP export.
  # In its own session: a Ctrl-C in the terminal reaches `make run`'s services, which flush to the
  # broker while they stop; broker-stop.sh stops the broker after them.
  setsid env -u OTEL_EXPORTER_OTLP_ENDPOINT "$TANSU" broker \
    --listener-url "tcp://$ADDR" --advertised-listener-url "tcp://$ADDR" \
    --storage-engine "memory://tansu/" >"$STATE/broker.log" 2>&1 &
  PID=$!
  echo "$PID" >"$STATE/pid"; echo "$PORT" >"$STATE/port"; echo "$ADDR" >"$STATE/bootstrap"
  # Readiness: the process is alive (a port probe alone can hit a dying predecessor) and answers metadata.
  for _ in $(seq 1 200); do
    if ! kill -0 "$PID" 2>/dev/null; then
      rm -f "$STATE/pid"
      grep -q "AddrInUse" "$STATE/broker.log" && return 2
      echo "broker-start: tansu exited; log follows" >&2; cat "$STATE/broker.log" >&2; return 1
    fi
    if (use_rdk && timeout 5 kcat -b "$ADDR" -L -m 2 >/dev/null 2>&1); then
      echo "$ADDR"; return 0
    fi
    sleep 0.05
  done
  return 3
}

# A restart on the port a stopped broker had (tests that stop and restart it under clients) can
# find the port still held by that broker's closed connections in TIME_WAIT for up to a minute:
# try again for 90 s, then give up naming the port.
for attempt in $(seq 1 90); do
  rc=0; start_once || rc=$?
  case "$rc" in
    0) exit 0 ;;
    1) exit 1 ;;
    2) if [[ -z "$GIVEN_PORT" ]]; then PORT="$(free_port)"; ADDR="127.0.0.1:$PORT"; fi
       [[ "$attempt" == 1 ]] && echo "broker-start: port $PORT is in use; trying again for 90 s" >&2
       sleep 1; continue ;;
    3) break ;;
  esac
done
[[ "${rc:-3}" == 2 ]] && { echo "broker-start: port $PORT still in use after 90 s" >&2; exit 1; }
echo "broker-start: no metadata answer from $ADDR within 10 s" >&2
kill "$PID" 2>/dev/null || true; exit 1
