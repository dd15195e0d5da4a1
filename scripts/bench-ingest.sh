#!/usr/bin/env bash
# PacketIngest benchmark (part of `make bench`): INGEST_BENCH_LINES (1,000,000) signed raw lines of
# the benchmark packet mix are produced once into a raw topic on a private broker; then, over the
# same topics in the same run:
#   baseline: `kcat -C | kcat -P` copies raw to a passthrough topic (no validation at all);
#   PacketIngest (release): authenticates, deduplicates, validates and routes every line.
# Each is timed from its start until its last output is acknowledged (kcat -P exits after its
# deliveries; for PacketIngest, until the group's committed offsets reach the end of raw, which it
# commits only after every output and state record was acknowledged). CPU time is user+system
# of the processes (/usr/bin/time for the kcat pipeline, /proc/<pid>/stat for PacketIngest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
LINES="${INGEST_BENCH_LINES:-1000000}"
OUT="$ROOT/.run/bench/ingest"
mkdir -p "$OUT"
# BENCH_SCRATCH_PATH: build in another folder than .build (e.g. while tests hold .build's lock).
SCRATCH=(); [[ -n "${BENCH_SCRATCH_PATH:-}" ]] && SCRATCH=(--scratch-path "$BENCH_SCRATCH_PATH")
scripts/build.sh release "${SCRATCH[@]}" --product PacketIngest >/dev/null
scripts/build.sh release "${SCRATCH[@]}" --product KafkatorioBench >/dev/null
BIN="$(bin_dir -c release "${SCRATCH[@]}")"
use_rdk
broker_stop "$OUT/broker" >/dev/null 2>&1 || true
broker_up "$OUT/broker"
B="$BOOTSTRAP"
ingest_pid=""
stop_ingest() { [[ -n "$ingest_pid" ]] && kill -TERM "$ingest_pid" 2>/dev/null && wait "$ingest_pid" 2>/dev/null || true; }
at_exit stop_ingest
PREFIX="bench$RANDOM"
"$BIN/KafkatorioBench" ingest-load --bootstrap "$B" --prefix "$PREFIX" --lines "$LINES" --registry "$OUT/servers"

echo "bench ingest: baseline kcat -C | kcat -P over $LINES lines"
/usr/bin/time -f "%e %U %S" -o "$OUT/kcat.time" bash -c \
  "kcat -C -b '$B' -t '$PREFIX.raw' -o beginning -e -q -f '%k\t%s\n' | kcat -P -b '$B' -t '$PREFIX.passthrough' -K '\t'"
read -r kcat_wall kcat_user kcat_sys <"$OUT/kcat.time"

echo "bench ingest: PacketIngest over the same $LINES lines"
TICKS=$(getconf CLK_TCK)
start=$(date +%s.%N)
"$BIN/PacketIngest" --kafka-bootstrap "$B" --topic-prefix "$PREFIX" --servers "$OUT/servers" --metrics-port 0 \
  --log-level warning >"$OUT/PacketIngest.log" 2>&1 &
ingest_pid=$!
"$ROOT/.tools/venv/bin/python" - "$B" "$PREFIX" "$LINES" <<'PY'
import sys, time
from confluent_kafka import Consumer, TopicPartition
bootstrap, prefix, lines = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({"bootstrap.servers": bootstrap, "group.id": prefix + ".packet-ingest", "enable.auto.commit": False})
raw = prefix + ".raw"
parts = [TopicPartition(raw, p) for p in range(4)]
# Every record of raw is one line and offsets are dense, so the committed offsets add up to the
# line count at the end (Tansu's ListOffsets answers are not the log end, so they are not used).
ends = lines
deadline = time.time() + 1800
while time.time() < deadline:
    done = sum(max(0, tp.offset) for tp in c.committed(parts, timeout=10))
    if done >= ends:
        break
    time.sleep(0.1)
else:
    sys.exit("PacketIngest did not finish")
c.close()
PY
end=$(date +%s.%N)
read -r -a stat <"/proc/$ingest_pid/stat"
ingest_cpu=$(echo "(${stat[13]} + ${stat[14]}) / $TICKS" | bc -l)
kill -TERM "$ingest_pid"; wait "$ingest_pid" || true; ingest_pid=""
ingest_wall=$(echo "$end - $start" | bc -l)
rejected=$(grep -c "rejected line" "$OUT/PacketIngest.log" || true)

python3 - "$LINES" "$kcat_wall" "$kcat_user" "$kcat_sys" "$ingest_wall" "$ingest_cpu" "$rejected" <<'PY' | tee "$OUT/result.txt"
import sys
n = int(sys.argv[1]); kw, ku, ks, iw, ic = map(float, sys.argv[2:7]); rej = sys.argv[7]
kc = ku + ks
print(f"ingest bench: {n} raw lines (signed, benchmark packet mix), same broker, same run")
print(f"  kcat -C | kcat -P  : {kw:7.2f} s wall  {kc:7.2f} s CPU  {n/kw:10.0f} lines/s  {n/kc:10.0f} lines/s per core")
print(f"  PacketIngest       : {iw:7.2f} s wall  {ic:7.2f} s CPU  {n/iw:10.0f} lines/s  {n/ic:10.0f} lines/s per core")
print(f"  rate ratio PacketIngest/kcat: wall {kw/iw:.2f}x, per core {kc/ic:.2f}x  (dead-lettered: {rej})")
print("  PacketIngest's wall time includes joining the group (~3 s on Tansu) and up to 1 s of commit interval.")
PY
