#!/usr/bin/env bash
# `make chaos`: the whole system under SIGKILLs and broker pauses, compared byte for byte with a
# clean run over the same game output (scripts/chaos.py; its --help lists the settings:
# CHAOS_KILLS 20, CHAOS_PAUSES 2, CHAOS_PAUSE_SECONDS 30, CHAOS_SEED, CHAOS_ROUNDS, CHAOS_SIM).
# `scripts/chaos.sh --short` is the version `make test` runs. Uses the debug binaries (built
# here unless KAFKATORIO_BIN_DIR names them); every run has its own broker.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
if [[ -z "${KAFKATORIO_BIN_DIR:-}" ]]; then
  scripts/build.sh debug
  KAFKATORIO_BIN_DIR="$(bin_dir)"
fi
export KAFKATORIO_BIN_DIR
exec "$ROOT/.tools/venv/bin/python" scripts/chaos.py "$@"
