#!/usr/bin/env bash
# LogPipe throughput against `kcat -P -l` in the same run, same file, same broker, same producer
# settings (idempotence, acks=all, lz4, linger.ms=5): wall time ratio, CPU time, peak RSS.
# Two kcat baselines: plain (no key, no headers: the issue's goal), and with LogPipe's record shape
# (the same key and three headers; kcat can only send a fixed `source` value, LogPipe a per-line one).
# Usage: scripts/bench-logpipe.sh [LINES]   (default 1,000,000; release build)
# LOGPIPE_BEFORE_BIN=/path/to/older/LogPipe also measures that binary in the same run (before/after).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LINES="${1:-1000000}"
OUT="$ROOT/.run/bench/logpipe"
mkdir -p "$OUT"
BIN="$(swift build -c release --show-bin-path)"
scripts/build.sh release --product LogPipe >/dev/null  # up to date: never measure a stale binary
export LD_LIBRARY_PATH="$ROOT/.tools/rdk${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# 1M realistic lines: the mod's packet lines from the fixtures (80 %), console/engine lines (20 %).
FILE="$OUT/lines.log"
python3 - "$LINES" "$FILE" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
packets = [l.rstrip("\n") for l in open("Tests/Fixtures/packets/valid.txt", encoding="utf-8")
           if l.startswith("KAFKATORIO/")]
console = ["2026-11-24 12:%02d:%02d [CHAT] Alice: going to build the smelting column %d",
           "%8.3f Info MainLoop.cpp:357: Saving map as /factorio/saves/_autosave%d.zip",
           "2026-11-24 12:%02d:%02d [JOIN] Player%d joined the game",
           "%8.3f Script @__kafkatorio__/control.lua:120: exporter queue %d"]
with open(path, "w", encoding="utf-8") as f:
    f.write("   0.000 2026-11-24 12:00:00; Factorio 2.0.77 (build 83000, linux64, headless)\n")
    for i in range(1, n):
        if i % 5 == 0:
            c = console[(i // 5) % len(console)]
            f.write((c % (i // 60 % 60, i % 60, i) if c.startswith("2026") else c % (i / 60.0, i)) + "\n")
        else:
            f.write(packets[i % len(packets)] + "\n")
PY
BYTES=$(stat -c %s "$FILE")

STATE="$OUT/broker"
BOOT="$(scripts/broker-start.sh "$STATE")"
trap 'scripts/broker-stop.sh "$STATE"' EXIT
RUN="bench$RANDOM"
"$ROOT/.tools/venv/bin/python" - "$BOOT" "$RUN" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({"bootstrap.servers": sys.argv[1]})
fs = a.create_topics([NewTopic(f"{sys.argv[2]}-kcat", 4, 1), NewTopic(f"{sys.argv[2]}-kcatk", 4, 1)] +
                     [NewTopic(f"{run}.{t}", p, 1) for run in (sys.argv[2], sys.argv[2] + "b") for t, p in
                      [("raw", 4), ("console", 1), ("deadletter", 1), ("map", 8), ("live", 4), ("prototypes", 1), ("tiles", 8)]])
for f in fs.values(): f.result()
PY

rm -f "$OUT/broker-cpu.txt"
SETTINGS=(-X enable.idempotence=true -X acks=all -X compression.type=lz4 -X linger.ms=5 -X queue.buffering.max.messages=100000 -X message.max.bytes=1114112)
BROKER_PID=$(cat "$STATE/pid")
broker_cpu() { awk '{ print $14 + $15 }' "/proc/$BROKER_PID/stat"; }  # clock ticks
measure() { # name, command...
  local name="$1"; shift
  local b0; b0=$(broker_cpu)
  /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>&1
  echo "$name broker $(( $(broker_cpu) - b0 ))" >> "$OUT/broker-cpu.txt"
  local wall user sys rss
  wall=$(grep 'Elapsed (wall' "$OUT/$name.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  user=$(grep 'User time' "$OUT/$name.time" | awk '{print $NF}')
  sys=$(grep 'System time' "$OUT/$name.time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$OUT/$name.time" | awk '{print $NF}')
  echo "$name $wall $user $sys $rss"
}
K=$(measure kcat kcat -b "$BOOT" -P -t "$RUN-kcat" -l "${SETTINGS[@]}" "$FILE")
KH=$(measure kcat-keyed kcat -b "$BOOT" -P -t "$RUN-kcatk" -l -k bench -H server=bench -H source=0f1e2d3c4b5a6978:123456789 \
  -H logpipe-version=0.2.0 "${SETTINGS[@]}" "$FILE")
L=$(measure logpipe env LOG_LEVEL=notice "$BIN/LogPipe" --kafka-bootstrap "$BOOT" --topic-prefix "$RUN" --server-id bench \
  --file "$FILE" --checkpoint "$OUT/checkpoint" --exit-at-end --http-port 0 --compression lz4 --linger-ms 5)
rm -f "$OUT/checkpoint"
B=""
if [[ -n "${LOGPIPE_BEFORE_BIN:-}" ]]; then
  B=$(measure before env LOG_LEVEL=notice "$LOGPIPE_BEFORE_BIN" --kafka-bootstrap "$BOOT" --topic-prefix "${RUN}b" --server-id bench \
    --file "$FILE" --checkpoint "$OUT/checkpoint" --exit-at-end --http-port 0 --compression lz4 --linger-ms 5)
  rm -f "$OUT/checkpoint"
fi
# Same check for both: how many records arrived.
count() { kcat -b "$BOOT" -C -t "$1" -e -q -f '.\n' 2>/dev/null | wc -l; }
KC=$(count "$RUN-kcat"); LR=$(count "$RUN.raw"); LC=$(count "$RUN.console")
BR=""; [[ -z "$B" ]] || BR=$(( $(count "${RUN}b.raw") + $(count "${RUN}b.console") ))
BROKER_CPU_FILE="$OUT/broker-cpu.txt" CLK_TCK=$(getconf CLK_TCK) \
python3 - "$LINES" "$BYTES" "$K" "$L" "$KC" "$((LR + LC))" "$B" "$BR" "$KH" <<'PY' | tee "$OUT/result.txt"
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
k = sys.argv[3].split(); l = sys.argv[4].split()
kw, ku, ks, kr = float(k[1]), float(k[2]), float(k[3]), int(k[4])
lw, lu, ls, lr = float(l[1]), float(l[2]), float(l[3]), int(l[4])
print(f"logpipe bench: {n} lines, {size/1e6:.1f} MB; idempotence, acks=all, lz4, linger.ms=5; one Tansu broker")
print(f"  kcat -P -l : wall {kw:6.2f} s  cpu {ku+ks:6.2f} s  peak RSS {kr/1024:7.1f} MB  records {sys.argv[5]}")
print(f"  LogPipe    : wall {lw:6.2f} s  cpu {lu+ls:6.2f} s  peak RSS {lr/1024:7.1f} MB  records {sys.argv[6]} (raw + console, keyed, 3 headers, checkpointed)")
h = sys.argv[9].split(); hw, hc, hr = float(h[1]), float(h[2]) + float(h[3]), int(h[4])
print(f"  kcat keyed : wall {hw:6.2f} s  cpu {hc:6.2f} s  peak RSS {hr/1024:7.1f} MB  (same key and 3 headers as LogPipe; fixed source value)")
print(f"  ratio LogPipe/kcat: wall {lw/kw:.2f}  cpu {(lu+ls)/(ku+ks):.2f}  rss {lr/kr:.2f}   (goal: wall <= 1.0)")
print(f"  ratio LogPipe/kcat keyed: wall {lw/hw:.2f}  cpu {(lu+ls)/hc:.2f}  rss {lr/hr:.2f}")
print(f"  ratio kcat keyed/kcat: wall {hw/kw:.2f}  cpu {hc/(ku+ks):.2f}   (what the record shape alone costs)")
import os
tck = float(os.environ["CLK_TCK"])
bc = {l.split()[0]: int(l.split()[2]) / tck for l in open(os.environ["BROKER_CPU_FILE"])}
print("  broker CPU during each run: " + ", ".join(f"{k} {v:.2f} s" for k, v in bc.items()) + " (the same 2 cores)")
if sys.argv[7]:
    b = sys.argv[7].split(); bw, bc, br = float(b[1]), float(b[2]) + float(b[3]), int(b[4])
    print(f"  before     : wall {bw:6.2f} s  cpu {bc:6.2f} s  peak RSS {br/1024:7.1f} MB  records {sys.argv[8]} (LOGPIPE_BEFORE_BIN, run after LogPipe)")
    print(f"  ratio before/kcat: wall {bw/kw:.2f}  cpu {bc/(ku+ks):.2f}  rss {br/kr:.2f}")
PY
