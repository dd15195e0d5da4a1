#!/usr/bin/env bash
# Builds every product (debug or release) and fails on any compiler warning in our own code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CONFIG="${1:-debug}"
cd "$ROOT"
mkdir -p .run
LOG=".run/build-$CONFIG.log"
shift || true
set +e
swift build -c "$CONFIG" --explicit-target-dependency-import-check error "$@" 2>&1 | tee "$LOG" | grep -E 'error:|warning:|Compiling|Build complete|Linking' | grep -vE '^\[[0-9]+/[0-9]+\] Compiling' || true
status=${PIPESTATUS[0]}
set -e
if [[ $status -ne 0 ]]; then echo "build: swift build failed (see $LOG)" >&2; exit $status; fi
if grep -E "^$ROOT/(Sources|Tests)/.*: warning:" "$LOG" | sort -u | grep .; then
  echo "build: warnings in our code are errors" >&2; exit 1
fi
