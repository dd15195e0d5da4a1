#!/usr/bin/env bash
# LogPipe throughput against `kcat -P -l` in the same run, same file, same broker, same producer
# settings (idempotence, acks=all, lz4, linger.ms=5): wall time ratio, CPU time, peak RSS.
# LogPipe runs as in production: signed (a secret file), so every record carries the key and four
# headers (server, source, logpipe-version, signature), and it checkpoints.
# Two kcat baselines: plain (no key, no headers: the issue's goal), and with LogPipe's record shape
# (the same key and four headers of the same sizes; kcat can only send fixed values).
# Every contender runs ROUNDS times (default 3), in a rotating order; the medians are reported.
# A 1,000-line run of each measures the fixed start-up cost (librdkafka's idempotent producer waits
# for its producer id), reported apart so the per-line cost can be compared too.
# Usage: scripts/bench-logpipe.sh [LINES]   (default 1,000,000; release build)
# LOGPIPE_BEFORE_BIN=/path/to/older/LogPipe also measures that binary in the same rounds (before/after).
# `docker` is LogPipe with --input docker-json on a Docker json-file version of the same lines (one
# entry per line, escaped as Docker's driver does): the decoder's cost against the plain file.
# The same lines as a systemd journal (one entry each, written by systemd-journal-remote) are shipped
# by LogPipe --input journald in the same rounds: the journal input against the file input.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
LINES="${1:-1000000}"
ROUNDS="${ROUNDS:-3}"
OUT="$ROOT/.run/bench/logpipe"
mkdir -p "$OUT"
BIN="$(bin_dir -c release)"
scripts/build.sh release --product LogPipe >/dev/null  # up to date: never measure a stale binary
use_rdk
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
head -n 1000 "$FILE" > "$OUT/start.log"
# The same lines as Docker's json-file driver writes them (Go's escaping: <, >, & and control
# characters as \u00XX; one entry per line: none is over 16 KiB).
python3 - "$FILE" "$OUT/lines-json.log" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8", newline="\n") as f, open(dst, "w", encoding="utf-8") as out:
    for i, line in enumerate(f):
        log = json.dumps(line, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        out.write('{"log":%s,"stream":"stdout","time":"2026-11-24T12:%02d:%02d.%09dZ"}\n' % (log, i // 60 % 60, i % 60, i % 10**9))
PY
head -n 1000 "$OUT/lines-json.log" > "$OUT/start-json.log"
JSON_BYTES=$(stat -c %s "$OUT/lines-json.log")
# The same lines as journal entries of factorio.service (export format, MESSAGE in binary form).
journal_of() { # lines file, journal directory
  rm -rf "$2"; mkdir -p "$2"
  python3 - "$1" <<'PY' | /lib/systemd/systemd-journal-remote --output="$2/system.journal" - 2>/dev/null
import struct, sys
out = sys.stdout.buffer
with open(sys.argv[1], "rb") as f:
    for i, line in enumerate(f):
        m = line.rstrip(b"\n")
        out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                  b"_SYSTEMD_UNIT=factorio.service\nMESSAGE\n" % (1790000000000000 + i, 1000000 + i)
                  + struct.pack("<Q", len(m)) + m + b"\n\n")
PY
}
journal_of "$FILE" "$OUT/journal-full"
journal_of "$OUT/start.log" "$OUT/journal-start"
SECRET="$OUT/secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$SECRET"

STATE="$OUT/broker"
broker_up "$STATE"
BOOT="$BOOTSTRAP"
RUN="bench$RANDOM"
CONTENDERS=(kcat kcat-keyed logpipe docker journald)
[[ -z "${LOGPIPE_BEFORE_BIN:-}" ]] || CONTENDERS+=(before)
"$ROOT/.tools/venv/bin/python" - "$BOOT" "$RUN" "$ROUNDS" "${CONTENDERS[@]}" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
boot, run, rounds, contenders = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
a = AdminClient({"bootstrap.servers": boot})
topics = []
for r in range(rounds):
    for c in contenders:
        for size in ("full", "start"):
            p = f"{run}-{c}-{size}-{r}"
            if c.startswith("kcat"):
                topics.append(NewTopic(p, 4, 1))
            else:
                topics += [NewTopic(f"{p}.{t}", n, 1) for t, n in [("raw", 4), ("console", 1), ("deadletter", 1)]]
for f in a.create_topics(topics).values(): f.result()
PY

SETTINGS=(-X enable.idempotence=true -X acks=all -X compression.type=lz4 -X linger.ms=5 -X queue.buffering.max.messages=100000 -X message.max.bytes=1114112)
SIGNATURE=2:$(printf "%064d" 0)  # the length of a format-2 signature: "2:" and a hex HMAC-SHA256
BROKER_PID=$(cat "$STATE/pid")
broker_cpu() { awk '{ print $14 + $15 }' "/proc/$BROKER_PID/stat"; }  # clock ticks
command_for() { # contender, topic (prefix), file -> CMD
  case "$1" in
    kcat) CMD=(kcat -b "$BOOT" -P -t "$2" -l "${SETTINGS[@]}" "$3") ;;
    kcat-keyed) CMD=(kcat -b "$BOOT" -P -t "$2" -l -k bench -H server=bench -H source=0f1e2d3c4b5a6978:123456789 \
      -H logpipe-version=0.3.0 -H "signature=$SIGNATURE" "${SETTINGS[@]}" "$3") ;;
    logpipe|before|docker|journald)
      local bin="$BIN/LogPipe"; [[ "$1" != before ]] || bin="$LOGPIPE_BEFORE_BIN"
      local input=(--file "$3")
      [[ "$1" != docker ]] || input=(--input docker-json --file "${3%.log}-json.log")
      [[ "$1" != journald ]] || input=(--input journald --unit factorio.service --journal-directory "$3")
      rm -f "$OUT/checkpoint"
      CMD=(env LOG_LEVEL=notice "$bin" --kafka-bootstrap "$BOOT" --topic-prefix "$2" --server-id bench \
        --secret-file "$SECRET" "${input[@]}" --checkpoint "$OUT/checkpoint" --exit-at-end \
        --compression lz4 --linger-ms 5) ;;
  esac
}
RESULTS="$OUT/runs.txt"
: > "$RESULTS"
measure() { # contender, size, round, file
  local topic="$RUN-$1-$2-$3"
  local b0; b0=$(broker_cpu)
  command_for "$1" "$topic" "$4"
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "${CMD[@]}" >"$OUT/$1.out" 2>&1
  echo "$1 $2 $3 $(cat "$OUT/time.txt") $(( $(broker_cpu) - b0 ))" >> "$RESULTS"
}
n=${#CONTENDERS[@]}
for ((r = 0; r < ROUNDS; r++)); do
  for ((i = 0; i < n; i++)); do
    c=${CONTENDERS[$(( (i + r) % n ))]}
    if [[ "$c" == journald ]]; then
      measure "$c" start "$r" "$OUT/journal-start"; measure "$c" full "$r" "$OUT/journal-full"
    else
      measure "$c" start "$r" "$OUT/start.log"; measure "$c" full "$r" "$FILE"
    fi
  done
done
# Same check for all: every record arrived (round 0 of each).
count() { kcat -b "$BOOT" -C -t "$1" -e -q -f '.\n' 2>/dev/null | wc -l; }
RECORDS=""
for c in "${CONTENDERS[@]}"; do
  if [[ "$c" == kcat* ]]; then k=$(count "$RUN-$c-full-0"); else
    k=$(( $(count "$RUN-$c-full-0.raw") + $(count "$RUN-$c-full-0.console") )); fi
  RECORDS+="$c=$k "
done
CLK_TCK=$(getconf CLK_TCK) python3 - "$LINES" "$BYTES" "$ROUNDS" "$RESULTS" "$JSON_BYTES" $RECORDS <<'PY' | tee "$OUT/result.txt"
import os, statistics, sys
n, size, rounds, path, json_size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
records = dict(a.split("=") for a in sys.argv[6:])
tck = float(os.environ["CLK_TCK"])
runs = {}
for line in open(path):
    c, sz, r, wall, user, sys_, rss, broker = line.split()
    runs.setdefault((c, sz), []).append((float(wall), float(user) + float(sys_), int(rss) / 1024, int(broker) / tck))
def med(c, sz, i): return statistics.median(x[i] for x in runs[(c, sz)])
def spread(c, sz): w = [x[0] for x in runs[(c, sz)]]; return f"{min(w):.2f}-{max(w):.2f}"
label = {"kcat": "kcat -P -l", "kcat-keyed": "kcat keyed", "logpipe": "LogPipe", "docker": "docker-json", "journald": "LP journald", "before": "before"}
note = {"kcat": "no key, no headers",
        "kcat-keyed": "LogPipe's record shape: key + 4 headers, fixed values",
        "logpipe": "key + 4 headers (signed), checkpointed",
        "docker": f"LogPipe --input docker-json, the same lines as json-file entries ({json_size/1e6:.1f} MB)",
        "journald": "--input journald: the same lines as journal entries, signed, checkpointed",
        "before": "LOGPIPE_BEFORE_BIN, signed"}
print(f"logpipe bench: {n} lines, {size/1e6:.1f} MB; idempotence, acks=all, lz4, linger.ms=5; one Tansu broker; "
      f"medians of {rounds} rounds")
print(f"  {'':11} {'wall s':>7} {'(range)':>11} {'cpu s':>6} {'rss MB':>7} {'broker cpu':>10} {'start s':>8}  records")
for c in label:
    if (c, "full") not in runs: continue
    print(f"  {label[c]:11} {med(c,'full',0):7.2f} {spread(c,'full'):>11} {med(c,'full',1):6.2f} {med(c,'full',2):7.1f} "
          f"{med(c,'full',3):10.2f} {med(c,'start',0):8.2f}  {records.get(c,'?')} ({note[c]})")
kw, lw = med("kcat", "full", 0), med("logpipe", "full", 0)
ks, ls = med("kcat", "start", 0), med("logpipe", "start", 0)
hw, hs = med("kcat-keyed", "full", 0), med("kcat-keyed", "start", 0)
print(f"  ratio LogPipe/kcat: wall {lw/kw:.2f}  cpu {med('logpipe','full',1)/med('kcat','full',1):.2f}  "
      f"rss {med('logpipe','full',2)/med('kcat','full',2):.2f}   (goal: wall <= 1.0)")
print(f"  ratio LogPipe/kcat keyed: wall {lw/hw:.2f}  cpu {med('logpipe','full',1)/med('kcat-keyed','full',1):.2f}  "
      f"rss {med('logpipe','full',2)/med('kcat-keyed','full',2):.2f}")
print(f"  ratio kcat keyed/kcat: wall {hw/kw:.2f}   (what the record shape alone costs librdkafka)")
print(f"  per line after start-up (wall - 1,000-line run): kcat {(kw-ks)/n*1e6:.2f} µs, kcat keyed {(hw-hs)/n*1e6:.2f} µs, "
      f"LogPipe {(lw-ls)/n*1e6:.2f} µs; ratio LogPipe/kcat {(lw-ls)/(kw-ks):.2f}, LogPipe/kcat keyed {(lw-ls)/(hw-hs):.2f}")
dw, ds = med("docker", "full", 0), med("docker", "start", 0)
dr = [x[0] for x in runs[("docker", "full")]]
print(f"  ratio docker-json/file (LogPipe): wall {dw/lw:.2f}  cpu {med('docker','full',1)/med('logpipe','full',1):.2f}  "
      f"rss {med('docker','full',2)/med('logpipe','full',2):.2f}; per line after start-up {(dw-ds)/n*1e6:.2f} µs vs "
      f"{(lw-ls)/n*1e6:.2f} µs; docker-json {n/dw/1e3:.0f} k lines/s (range {n/max(dr)/1e3:.0f}-{n/min(dr)/1e3:.0f})")
if ("journald", "full") in runs:
    jw, js = med("journald", "full", 0), med("journald", "start", 0)
    print(f"  ratio journald/file input: wall {jw/lw:.2f} (range {spread('journald','full')} vs {spread('logpipe','full')})  "
          f"cpu {med('journald','full',1)/med('logpipe','full',1):.2f}  rss {med('journald','full',2)/med('logpipe','full',2):.2f}; "
          f"per line after start-up {(jw-js)/n*1e6:.2f} µs vs {(lw-ls)/n*1e6:.2f} µs")
if ("before", "full") in runs:
    bw = med("before", "full", 0)
    print(f"  ratio before/kcat: wall {bw/kw:.2f}; LogPipe/before: wall {lw/bw:.2f}  cpu {med('logpipe','full',1)/med('before','full',1):.2f}")
PY
