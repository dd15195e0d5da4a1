#!/usr/bin/env bash
# `make bench`: release benchmarks, each against its baseline measured in the same run.
#   codec: fast packet-line decoder vs the Codable reference decoder (packets/s per core).
#   png:   tile rasterizing and palette-PNG encoding vs libpng's simplified API.
#   mod:   the Factorio mod's tick time (vs the 16.667 ms tick at 60 UPS) and stdout rate on a
#          simulated 100x100-chunk server with 20 players (mod-tools/bench.lua, `make bench-mod`).
#   renderer: full render (all zoom levels) of a 100×100-chunk world, 1 worker vs 2, peak RSS.
#   ingest: 1M signed raw lines through PacketIngest vs a kcat -C | kcat -P passthrough (scripts/bench-ingest.sh).
#   logpipe: 1M log lines shipped until acknowledged vs `kcat -P -l` (scripts/bench-logpipe.sh).
#   history: a past tile (?at=, a seek in the gateway's history store) vs a live one, lookups/s and
#            ratio; history store bytes per version (KafkatorioBench history).
#   gateway: tile GETs vs nginx (ratio), WebSocket fan-out latency and RSS (scripts/bench-gateway.sh);
#            end-to-end freshness, log line → WebSocket player update and tile invalidation (scripts/bench-freshness.py, all four binaries).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
scripts/build.sh release
BIN="$(bin_dir -c release)"
mkdir -p .run/bench
"$BIN/KafkatorioBench" codec | tee .run/bench/codec.txt
"$BIN/KafkatorioBench" png | tee .run/bench/png.txt
lua5.2 mod-tools/bench.lua | tee .run/bench/mod.txt
"$BIN/KafkatorioBench" renderer --side "${BENCH_RENDER_SIDE:-100}" | tee .run/bench/renderer.txt
"$BIN/KafkatorioBench" history | tee .run/bench/history.txt

scripts/bench-ingest.sh
scripts/bench-logpipe.sh | tee .run/bench/logpipe.txt
scripts/bench-gateway.sh "$BIN"
broker_up .run/bench-broker
use_rdk
.tools/venv/bin/python scripts/bench-freshness.py \
  --bin-dir "$BIN" --bootstrap "$BOOTSTRAP" | tee .run/bench/freshness.txt
echo "bench: results in .run/bench/"
