#!/usr/bin/env bash
# `make test`: builds, starts a private broker, runs every test against it, stops the broker.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STATE="$ROOT/.run/test-broker"
mkdir -p .run
# The mod's Lua suite (seconds): run first, reported beside the Swift totals, fails the run.
set +e
lua5.2 mod-tools/run_tests.lua | tee .run/test-lua.log
lua_status=${PIPESTATUS[0]}
set -e
lua_summary=$(grep -E '^lua: [0-9]+ passed, [0-9]+ failed' .run/test-lua.log | tail -n1 || true)
if [[ -n "$lua_summary" ]]; then
  lua_passed=$(sed -E 's/^lua: ([0-9]+) passed.*/\1/' <<<"$lua_summary")
  lua_failed=$(sed -E 's/^lua: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$lua_summary")
else
  lua_passed=0; lua_failed=1; echo "test: the Lua suite printed no summary" >&2
fi
# The page's JavaScript: every file parses, and the unit tests of its pure functions pass (seconds).
scripts/check-js.sh
scripts/build.sh debug --build-tests
export KAFKA_BOOTSTRAP="$(scripts/broker-start.sh "$STATE")"
trap 'scripts/broker-stop.sh "$STATE"' EXIT
export LD_LIBRARY_PATH="$ROOT/.tools/rdk${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export KAFKATORIO_BIN_DIR="$(swift build --show-bin-path)"
export KAFKATORIO_ROOT="$ROOT"
echo "test: broker at $KAFKA_BOOTSTRAP, binaries in $KAFKATORIO_BIN_DIR"
start=$(date +%s)
set +e
swift test --skip-build "$@" 2>&1 | tee .run/test.log | grep -vE ' Test .* started\.$|^Test Case .* started\.$'
status=${PIPESTATUS[0]}
set -e
echo "test: swift test finished in $(( $(date +%s) - start )) s with status $status"
# A plain closing line: Swift Testing's totals (its summary names tests, failed ones are listed with ✘).
total=$(grep -oE 'Test run with [0-9]+ test' .run/test.log | grep -oE '[0-9]+' | tail -n1 || true)
failed=$( (grep -E '^✘ Test .* failed after ' .run/test.log || true) | (grep -v '^✘ Test run with' || true) | sort -u | wc -l)
if [[ -n "$total" ]]; then
  echo "swift: $(( total - failed )) passed, $failed failed; lua (mod): $lua_passed passed, $lua_failed failed"
  echo "$(( total - failed + lua_passed )) passed, $(( failed + lua_failed )) failed"
else
  echo "test: no Swift Testing summary found" >&2
  [[ $status -eq 0 ]] && status=1
fi
[[ $lua_status -ne 0 && $status -eq 0 ]] && status=1
exit "$status"
