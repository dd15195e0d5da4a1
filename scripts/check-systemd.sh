#!/usr/bin/env bash
# Checks the systemd units in deploy/systemd (run by scripts/test.sh when systemd-analyze exists):
# - `systemd-analyze verify` accepts each unit without a single complaint (an unknown key, a bad
#   value or a missing binary is printed by verify but does not change its status: any output fails);
#   ExecStart's /usr/local/bin/<name> must be one of the package's executables (stand-ins for them
#   are put in a scratch directory, since verify checks that the command exists);
# - every unit has the hardening and resource limits deploy/README.md promises (listed below);
# - `systemd-analyze security --offline=yes` rates each unit at most SYSTEMD_MAX_EXPOSURE (2.0, on
#   its 0–10 scale), and the scores are printed.
# Usage: scripts/check-systemd.sh [unit files…]  (default: deploy/systemd/*.service)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MAX_EXPOSURE="${SYSTEMD_MAX_EXPOSURE:-2.0}"
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd: systemd-analyze not installed; units not checked"
  exit 0
fi
units=("$@")
[[ ${#units[@]} -gt 0 ]] || units=(deploy/systemd/*.service)
# Every directive=value line a unit must contain (a value of `*` accepts any non-empty value).
required=(
  "NoNewPrivileges=yes" "CapabilityBoundingSet=" "AmbientCapabilities=" "ProtectSystem=strict" "ProtectHome=yes"
  "PrivateTmp=yes" "PrivateDevices=yes" "LockPersonality=yes" "MemoryDenyWriteExecute=yes"
  "RestrictNamespaces=yes" "RestrictSUIDSGID=yes" "SystemCallArchitectures=native"
  "SystemCallFilter=@system-service" "SystemCallErrorNumber=EPERM" "RestrictAddressFamilies=*"
  "MemoryMax=*" "TasksMax=*" "LimitNOFILE=*" "DynamicUser=yes" "KillSignal=SIGTERM"
)
executables=$(python3 - <<'PY'
import re
text = open("Package.swift").read()
print(" ".join(re.findall(r'\.executableTarget\(\s*name:\s*"([^"]+)"', text)))
PY
)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/bin" "$scratch/units"
for e in $executables; do printf '#!/bin/sh\nexit 0\n' >"$scratch/bin/$e"; chmod +x "$scratch/bin/$e"; done
failed=0
for unit in "${units[@]}"; do
  name=$(basename "$unit")
  problems=()
  for r in "${required[@]}"; do
    key=${r%%=*} value=${r#*=}
    if [[ $value == "*" ]]; then
      grep -qE "^${key}=.+" "$unit" || problems+=("no ${key}=")
    elif [[ -z $value ]]; then
      grep -qxE "${key}=" "$unit" || problems+=("no empty ${key}=")
    else
      grep -qxF "$r" "$unit" || problems+=("no $r")
    fi
  done
  grep -qE '^ExecStart=/usr/local/bin/' "$unit" || problems+=("ExecStart is not /usr/local/bin/<executable>")
  sed "s#/usr/local/bin/#$scratch/bin/#g" "$unit" >"$scratch/units/$name"
  verify=$(cd "$scratch/units" && systemd-analyze verify --man=no "./$name" 2>&1) || problems+=("verify failed")
  [[ -z $verify ]] || problems+=("verify: ${verify//$'\n'/; }")
  report=$(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n1)
  score=$(grep -oE 'level for [^:]+: [0-9.]+' <<<"$report" | grep -oE '[0-9.]+$' || echo "?")
  if [[ $score == "?" ]]; then
    problems+=("security: $report")
  elif ! python3 -c "import sys; sys.exit(0 if float('$score') <= float('$MAX_EXPOSURE') else 1)"; then
    problems+=("exposure $score above $MAX_EXPOSURE")
  fi
  if [[ ${#problems[@]} -eq 0 ]]; then
    echo "systemd: $name ok (exposure $score)"
  else
    failed=1
    for p in "${problems[@]}"; do echo "systemd: $name: $p" >&2; done
  fi
done
[[ $failed -eq 0 ]] || { echo "systemd: unit check FAILED" >&2; exit 1; }
