#!/usr/bin/env bash
# `make bench`: release benchmarks, each against its baseline measured in the same run.
#   codec: fast packet-line decoder vs the Codable reference decoder (packets/s per core).
#   png:   tile rasterizing and palette-PNG encoding vs libpng's simplified API.
#   logpipe: 1M log lines shipped until acknowledged vs `kcat -P -l` (scripts/bench-logpipe.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/build.sh release --product KafkatorioBench
scripts/build.sh release --product LogPipe
BIN="$(swift build -c release --show-bin-path)"
mkdir -p .run/bench
"$BIN/KafkatorioBench" codec | tee .run/bench/codec.txt
"$BIN/KafkatorioBench" png | tee .run/bench/png.txt
scripts/bench-logpipe.sh | tee .run/bench/logpipe.txt
echo "bench: results in .run/bench/"
