#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer target for the packet-line parser (Fuzz/PacketLineFuzz.swift,
# compiled with Sources/Shared and -sanitize=fuzzer,address) and runs it for FUZZ_SECONDS (60),
# seeded from the fixtures. The corpus grows in .run/fuzz/corpus across runs; a crash (an
# invariant violation or a memory error) leaves its input in .run/fuzz/ and fails the run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
OUT="$ROOT/.run/fuzz"
mkdir -p "$OUT/seeds" "$OUT/corpus"
BIN="$OUT/packet-line-fuzz"
# Every Shared file but the line signatures (swift-crypto is not on swiftc's path here; the parser
# does not use them).
SOURCES=($(ls Sources/Shared/*.swift | grep -v '/LineSignature.swift$') Fuzz/PacketLineFuzz.swift)
if [[ ! -x "$BIN" ]] || [[ -n "$(find "${SOURCES[@]}" -newer "$BIN" -print -quit)" ]]; then
  echo "fuzz: building $BIN"
  # ld.gold warns about ASan's local symbols; those lines are noise.
  swiftc -sanitize=fuzzer,address -parse-as-library -O -swift-version 6 -package-name Kafkatorio -module-name FuzzShared \
    -I Sources/CLibDeflate "${SOURCES[@]}" -ldeflate -o "$BIN" 2>&1 | grep -v "Cannot export local symbol" || true
  [[ -x "$BIN" ]] || { echo "fuzz: build failed" >&2; exit 1; }
fi
# Seeds: every fixture line (valid and invalid) as one input.
python3 - "$OUT/seeds" <<'PY'
import sys, pathlib
out = pathlib.Path(sys.argv[1]); n = 0
fx = pathlib.Path("Tests/Fixtures/packets")
for line in (fx / "valid.txt").read_bytes().split(b"\n"):
    if line.startswith(b"KAFKATORIO"):
        (out / f"valid-{n}").write_bytes(line); n += 1
for line in (fx / "invalid.tsv").read_bytes().split(b"\n"):
    if line and not line.startswith(b"#") and b"\t" in line:
        (out / f"invalid-{n}").write_bytes(line.split(b"\t", 1)[1]); n += 1
for line in (fx / "invalid-utf8.bin").read_bytes().split(b"\n"):
    if line:
        (out / f"utf8-{n}").write_bytes(line); n += 1
PY
echo "fuzz: running for ${SECONDS_TO_RUN} s (corpus $OUT/corpus)"
set +e
"$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$OUT/" "$OUT/corpus" "$OUT/seeds" 2>&1 | tee "$OUT/fuzz.log" | grep -E "DONE|ERROR|SUMMARY|Done |panic|Fatal"
status=${PIPESTATUS[0]}
set -e
if [[ $status -ne 0 ]]; then echo "fuzz: FAILED (status $status); see $OUT/fuzz.log and $OUT/crash-*" >&2; exit "$status"; fi
echo "fuzz: no invariant violated"
