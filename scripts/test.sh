#!/usr/bin/env bash
# `make test`: builds, starts a private broker, runs every test against it, stops the broker.
# KAFKATORIO_REQUIRE_BROKER=1: a broker or process test that cannot reach what it needs fails,
# it is never skipped.
# `make test-unit` (scripts/test.sh --unit): the quick loop without a broker: the Lua suite, a
# debug build and `swift test`, which skips the broker and process tests with their reason.
# Further arguments go to `swift test` (e.g. --filter LineReaderTests).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
MODE=full
if [[ "${1:-}" == --unit ]]; then MODE=unit; shift; fi
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
# The target graph: every module a file imports is declared for its target in Package.swift.
scripts/check-imports.py
# The systemd units: verify, hardening and limits, exposure score (when systemd-analyze exists).
scripts/check-systemd.sh
# The Kubernetes manifest: securityContext, limits, pinned images, NetworkPolicies, no public /metrics.
"$ROOT/.tools/venv/bin/python" scripts/check-kubernetes.py
scripts/build.sh debug --build-tests
if [[ $MODE == full ]]; then
  broker_up "$STATE"
  export KAFKA_BOOTSTRAP="$BOOTSTRAP" KAFKATORIO_REQUIRE_BROKER=1
  use_rdk
  export KAFKATORIO_BIN_DIR="$(bin_dir)"
  export KAFKATORIO_ROOT="$ROOT"
  echo "test: broker at $KAFKA_BOOTSTRAP, binaries in $KAFKATORIO_BIN_DIR"
else
  # Never a broker the caller's environment points at: the unit loop is self-contained.
  unset KAFKA_BOOTSTRAP KAFKATORIO_BIN_DIR KAFKATORIO_REQUIRE_BROKER
  echo "test: unit tests only (no broker; broker and process tests are skipped)"
fi
LOG=.run/test.log; [[ $MODE == full ]] || LOG=.run/test-unit.log
start=$(date +%s)
set +e
swift test --skip-build "$@" 2>&1 | tee "$LOG" | grep -vE ' Test .* started\.$|^Test Case .* started\.$'
status=${PIPESTATUS[0]}
set -e
echo "test: swift test finished in $(( $(date +%s) - start )) s with status $status"
# The whole system under SIGKILLs and a broker pause, byte for byte against a clean run (`make chaos`
# in small: scripts/chaos.sh --short, about 3 minutes); only for a full run without arguments.
chaos_status=0
if [[ $MODE == full && $# -eq 0 ]]; then
  set +e
  scripts/chaos.sh --short >.run/test-chaos.log 2>&1
  chaos_status=$?
  set -e
  grep -E '^chaos: ' .run/test-chaos.log || true
  [[ $chaos_status -ne 0 ]] && echo "test: the short chaos run failed (see .run/test-chaos.log, .run/chaos/report.json)" >&2
fi
# A plain closing line: Swift Testing's totals (its summary counts every test; failed ones are listed
# with ✘, skipped ones with ➜ and their reason).
total=$(grep -oE 'Test run with [0-9]+ test' "$LOG" | grep -oE '[0-9]+' | tail -n1 || true)
failed=$( (grep -E '^✘ Test .* failed after ' "$LOG" || true) | (grep -v '^✘ Test run with' || true) | sort -u | wc -l)
skipped=$( (grep -E '^➜ Test .* skipped' "$LOG" || true) | sort -u | wc -l)
if [[ -n "$total" ]]; then
  passed=$(( total - failed - skipped ))
  echo "swift: $passed passed, $failed failed, $skipped skipped; lua (mod): $lua_passed passed, $lua_failed failed"
  echo "$(( passed + lua_passed )) passed, $(( failed + lua_failed )) failed, $skipped skipped"
else
  echo "test: no Swift Testing summary found" >&2
  [[ $status -eq 0 ]] && status=1
fi
[[ $lua_status -ne 0 && $status -eq 0 ]] && status=1
[[ $chaos_status -ne 0 && $status -eq 0 ]] && status=1
exit "$status"
