#!/usr/bin/env bash
# `make fuzz`: builds and runs two libFuzzer targets (-sanitize=fuzzer,address) for FUZZ_SECONDS
# (60) each:
# - packet-line: the packet-line parser (Fuzz/PacketLineFuzz.swift, compiled with Sources/Shared),
#   seeded from the packet fixtures, with its round-trip invariants;
# - tile-request: the tile fast path's request parser and machine (Fuzz/TileRequestFuzz.swift, with
#   the parser's files of Sources/MapGatewayCore, against the Shared module), seeded from
#   Tests/Fixtures/tile-requests, with the invariant that it answers what the router answers or hands
#   the request over.
# FUZZ_TARGETS="packet-line tile-request" picks the targets. Each corpus grows in
# .run/fuzz/<target>/corpus across runs; a crash (an invariant violation or a memory error) leaves
# its input in .run/fuzz/<target>/ and fails the run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
# The Swift backtracer reads memory ASan does not expect it to: let ASan and libFuzzer report.
export SWIFT_BACKTRACE=enable=no
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-packet-line tile-request}"
OUT="$ROOT/.run/fuzz"
SWIFTC_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -swift-version 6 -package-name Kafkatorio -I Sources/CLibDeflate
  -enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature MemberImportVisibility)
# Shared without its files that need swift-crypto (line signing: no parser uses it, and the fuzz
# builds link no package dependency).
mapfile -t SHARED < <(grep -L -E '^(package |public )?import Crypto' Sources/Shared/*.swift)
GATEWAY=(Sources/MapGatewayCore/{TileRequestParser,TileFastPathMachine,TileAddress,ConditionalRequest,GatewayError,CIDR}.swift)

# ld.gold warns about ASan's local symbols; those lines are noise.
quiet() { "$@" 2>&1 | grep -v "Cannot export local symbol" || true; }
stale() { local bin=$1; shift; [[ ! -x "$bin" ]] || [[ -n "$(find "$@" -newer "$bin" -print -quit)" ]]; }

build_packet_line() {
  local bin=$1
  stale "$bin" "${SHARED[@]}" Fuzz/PacketLineFuzz.swift || return 0
  echo "fuzz: building $bin"
  rm -f "$bin"
  quiet swiftc "${SWIFTC_FLAGS[@]}" -module-name FuzzShared "${SHARED[@]}" Fuzz/PacketLineFuzz.swift -ldeflate -o "$bin"
}

build_tile_request() {
  local bin=$1 dir
  dir=$(dirname "$bin")
  stale "$bin" "${SHARED[@]}" "${GATEWAY[@]}" Fuzz/TileRequestFuzz.swift || return 0
  echo "fuzz: building $bin"
  rm -f "$bin"
  mkdir -p "$dir/modules"
  # Shared as a module of its own (the gateway files `import Shared`), instrumented too.
  if stale "$dir/Shared.o" "${SHARED[@]}"; then
    rm -f "$dir/Shared.o"
    quiet swiftc "${SWIFTC_FLAGS[@]}" -module-name Shared -emit-module -emit-module-path "$dir/modules/Shared.swiftmodule" \
      -wmo -c "${SHARED[@]}" -o "$dir/Shared.o"
  fi
  quiet swiftc "${SWIFTC_FLAGS[@]}" -module-name FuzzTileRequest -I "$dir/modules" "${GATEWAY[@]}" Fuzz/TileRequestFuzz.swift \
    "$dir/Shared.o" -ldeflate -o "$bin"
}

# Seeds: every fixture line (valid and invalid) as one input.
seed_packet_line() {
  python3 - "$1" <<'PY'
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
}

# Seeds: each request head of the fixtures, for the root base path (first byte 0) and /map/ (1).
seed_tile_request() {
  python3 - "$1" <<'PY'
import sys, pathlib
out = pathlib.Path(sys.argv[1]); n = 0
for f in sorted(pathlib.Path("Tests/Fixtures/tile-requests").glob("*.http")):
    raw = f.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    (out / f"{f.stem}-root").write_bytes(b"\x00" + raw)
    (out / f"{f.stem}-map").write_bytes(b"\x01" + raw.replace(b" /tiles/", b" /map/tiles/"))
PY
}

failed=0
for target in $TARGETS; do
  dir="$OUT/$target"
  mkdir -p "$dir/seeds" "$dir/corpus"
  bin="$dir/$target-fuzz"
  case $target in
    packet-line) build_packet_line "$bin"; seed_packet_line "$dir/seeds"; max_len=70000 ;;
    tile-request) build_tile_request "$bin"; seed_tile_request "$dir/seeds"; max_len=9000 ;;
    *) echo "fuzz: unknown target $target" >&2; exit 2 ;;
  esac
  [[ -x "$bin" ]] || { echo "fuzz: build of $target failed" >&2; exit 1; }
  echo "fuzz: $target for ${SECONDS_TO_RUN} s (corpus $dir/corpus)"
  set +e
  "$bin" -max_total_time="$SECONDS_TO_RUN" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/corpus" "$dir/seeds" >"$dir/fuzz.log" 2>&1
  status=$?
  set -e
  grep -E "^#[0-9]+.*DONE|ERROR|SUMMARY|Done [0-9]+ runs|panic|Fatal|invariant violated|stat::number_of_executed_units|stat::average_exec_per_sec" "$dir/fuzz.log" | sed "s/^/fuzz: $target: /" || true
  if [[ $status -ne 0 ]]; then
    echo "fuzz: $target FAILED (status $status); see $dir/fuzz.log and $dir/crash-*" >&2
    failed=1
  fi
done
[[ $failed -eq 0 ]] || exit 1
echo "fuzz: no invariant violated"
