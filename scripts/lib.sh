# shellcheck shell=bash
# What the scripts share; sourced (never run) by each of them as
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# It sets ROOT (the repository) and provides:
#   use_rdk                  the librdkafka runtime (.tools/rdk) first on LD_LIBRARY_PATH, exported
#   bin_dir [ARGS...]        the folder of the built binaries: `swift build ARGS --show-bin-path`
#   free_port                a TCP port on 127.0.0.1 that was free a moment ago
#   wait_http URL [TENTHS]   waits until URL answers with a success (default 100 tenths of a second)
#   at_exit COMMAND          runs COMMAND when the script exits, the last registered first
#   broker_start STATE [PORT]  starts the embedded broker (scripts/broker-start.sh); prints its bootstrap
#   broker_stop STATE        stops it (scripts/broker-stop.sh)
#   broker_up STATE [PORT]   broker_start, sets BOOTSTRAP, and stops the broker at exit (at_exit)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

use_rdk() {
  export LD_LIBRARY_PATH="$ROOT/.tools/rdk${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}

bin_dir() {
  (cd "$ROOT" && swift build "$@" --show-bin-path)
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() {
  local url=$1 tries=${2:-100} _
  for _ in $(seq "$tries"); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $url" >&2
  return 1
}

_AT_EXIT=()
_run_at_exit() {
  local i
  for ((i = ${#_AT_EXIT[@]} - 1; i >= 0; i--)); do eval "${_AT_EXIT[i]}" || true; done
}
at_exit() {
  _AT_EXIT+=("$1")
  trap _run_at_exit EXIT
}

broker_start() { "$ROOT/scripts/broker-start.sh" "$@"; }
broker_stop() { "$ROOT/scripts/broker-stop.sh" "$@"; }

broker_up() {
  BOOTSTRAP="$(broker_start "$@")"
  at_exit "broker_stop $(printf '%q' "$1")"
}
