#!/usr/bin/env bash
# `make sim`: runs the simulated Factorio server (the real mod on the Lua API stand-in) and
# writes a headless server's stdout to $SIM_OUT (default .run/sim/factorio-stdout.log).
# Settings by environment (SIM_CHUNKS, SIM_PLAYERS, SIM_BUILD_RATE, SIM_REALTIME=1|0, SIM_SEED,
# SIM_DURATION game seconds, 0 = forever, SIM_SPEED) or flags: `make sim ARGS="--fast --duration 60"`.
# SIGTERM/SIGINT stop it gracefully (exit 0) with the server's quit lines, as a real server does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export SIM_OUT="${SIM_OUT:-$ROOT/.run/sim/factorio-stdout.log}"
[[ "$SIM_OUT" == "-" ]] || { mkdir -p "$(dirname "$SIM_OUT")"; echo "sim: writing $SIM_OUT" >&2; }
lua5.2 mod-tools/sim.lua "$@" &
pid=$!
started=$SECONDS
stop() {
  trap - TERM INT
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ "$SIM_OUT" != "-" ]]; then
    secs=$(( SECONDS - started ))
    printf '%8.3f Info ServerMultiplayerManager.cpp:142: Quitting multiplayer connection.\n%8.3f Goodbye\n' \
      "$secs" "$secs" >>"$SIM_OUT"
  fi
  echo "sim: stopped" >&2
  exit 0
}
trap stop TERM INT
wait "$pid"
