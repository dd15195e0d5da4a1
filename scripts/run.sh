#!/usr/bin/env bash
# `make run`: builds, starts the embedded broker, the four services and the simulated game server
# (the real mod on the Lua API stand-in, mod-tools/sim.lua, in real time), and prints the map's URL.
# The simulator takes SIM_CHUNKS, SIM_PLAYERS, SIM_BUILD_RATE, SIM_SEED, SIM_SPEED from the
# environment (see scripts/sim.sh). Ctrl-C (or SIGTERM) stops everything gracefully.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
CONFIG="${CONFIG:-debug}"
PORT="${GATEWAY_PORT:-8080}"
HOST="${GATEWAY_HOST:-127.0.0.1}"
SERVER_ID="${SERVER_ID:-demo}"
DEMO="$ROOT/.run/demo"

scripts/build.sh "$CONFIG"
BIN="$(bin_dir -c "$CONFIG")"
broker_stop "$DEMO/broker" || true
rm -rf "$DEMO"; mkdir -p "$DEMO"
export KAFKA_BOOTSTRAP="$(broker_start "$DEMO/broker")"
use_rdk

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "run: stopping services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  broker_stop "$DEMO/broker"
  echo "run: stopped"
  exit "${1:-0}"
}
trap 'stop 0' INT TERM
trap 'stop 1' EXIT

# The demo server's secret: LogPipe signs with it, PacketIngest's registry verifies it.
SECRET="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$SECRET" >"$DEMO/logpipe.secret"
printf '# <server-id> <secret>\n%s %s\n' "$SERVER_ID" "$SECRET" >"$DEMO/servers"
chmod 600 "$DEMO/logpipe.secret" "$DEMO/servers"

# /metrics and /healthz on the ports the deployments use (--metrics-port is 0 = off by default).
"$BIN/PacketIngest" --servers "$DEMO/servers" --metrics-port 9102 >"$DEMO/PacketIngest.log" 2>&1 & pids+=($!)
# Its state store lives in $DEMO (wiped above with the broker's memory store: a store must not outlive its cluster). One detail worker per core: the broker is new, so the group is too (a fresh group of several joins at once).
"$BIN/TileRenderer" --metrics-port 9104 --state-directory "$DEMO/renderer-state" --detail-workers 0 >"$DEMO/TileRenderer.log" 2>&1 & pids+=($!)
"$BIN/MapGateway" --host "$HOST" --port "$PORT" --tile-directory "$DEMO/gateway-tiles" >"$DEMO/MapGateway.log" 2>&1 & pids+=($!)
touch "$DEMO/factorio-stdout.log"
"$BIN/LogPipe" --file "$DEMO/factorio-stdout.log" --server-id "$SERVER_ID" --checkpoint "$DEMO/logpipe.checkpoint" \
  --secret-file "$DEMO/logpipe.secret" --metrics-port 9464 \
  >"$DEMO/LogPipe.log" 2>&1 & pids+=($!)
SIM_OUT="$DEMO/factorio-stdout.log" SIM_REALTIME=1 SIM_DURATION=0 \
  SIM_PLAYERS="${SIM_PLAYERS:-6}" SIM_BUILD_RATE="${SIM_BUILD_RATE:-20}" SIM_CHUNKS="${SIM_CHUNKS:-64}" \
  SIM_SPACE_AGE="${SIM_SPACE_AGE:-1}" \
  scripts/sim.sh 2>"$DEMO/sim.log" & pids+=($!)

echo "run: broker $KAFKA_BOOTSTRAP; logs in $DEMO"
echo "run: map at http://$HOST:$PORT/#$SERVER_ID/nauvis/0/0/2"
echo "run: press Ctrl-C to stop"
wait -n "${pids[@]}" || true
echo "run: a process exited unexpectedly; see $DEMO/*.log" >&2
