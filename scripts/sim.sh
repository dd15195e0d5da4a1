#!/usr/bin/env bash
# `make sim`: runs the simulated Factorio server (the real mod on the Lua API stand-in) and
# writes a headless server's stdout to $SIM_OUT (default .run/sim/factorio-stdout.log).
# Settings by environment (SIM_CHUNKS, SIM_PLAYERS, SIM_BUILD_RATE, SIM_REALTIME=1|0, SIM_SEED,
# SIM_DURATION game seconds, 0 = forever, SIM_SPEED) or flags: `make sim ARGS="--fast --duration 60"`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export SIM_OUT="${SIM_OUT:-$ROOT/.run/sim/factorio-stdout.log}"
[[ "$SIM_OUT" == "-" ]] || { mkdir -p "$(dirname "$SIM_OUT")"; echo "sim: writing $SIM_OUT" >&2; }
exec lua5.2 mod-tools/sim.lua "$@"
