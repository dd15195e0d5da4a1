#!/usr/bin/env bash
# `make bench-scale`: release build, then scripts/bench-scale.py (a generated SIDE×SIDE-chunk world
# through the four real services on a private broker; SIDE, SURFACES, DENSITY, SEED from the
# environment, further flags as arguments). Results in .run/bench/scale-side<SIDE>.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
scripts/build.sh release
exec .tools/venv/bin/python scripts/bench-scale.py --bin-dir "$(bin_dir -c release)" "$@"
