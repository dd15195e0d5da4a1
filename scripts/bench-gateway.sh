#!/usr/bin/env bash
# Gateway benchmarks (release build), each against a baseline or target measured in this run:
#   tiles: wrk GETs of the same PNG files from nginx and from MapGateway's real HTTP stack
#          (gateway-serve: routes + TileStore, fed from files instead of Kafka) → req/s ratio.
#   ws:    1,000 WebSocket clients, 50 players moving at 4 Hz: latency p50/p99 from the `at`
#          stamp in each message to its receipt, and the gateway's RSS.
# Usage: scripts/bench-gateway.sh [BIN_DIR]   (env: WRK_SECONDS, WS_CLIENTS, WS_SECONDS)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN="${1:-$(bin_dir -c release)}"
OUT="$ROOT/.run/bench"
WORK="$(mktemp -d /tmp/kafkatorio-gw-bench.XXXXXX)"
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 2; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
at_exit cleanup
rps() { awk '/Requests\/sec/ {print $2}'; }

"$BIN/KafkatorioBench" tiles-write --dir "$WORK/www" --side 16
chmod -R a+rX "$WORK"  # nginx workers drop to `nobody` when started as root
cat > "$WORK/paths.lua" <<LUA
local paths = {}
for line in io.lines("$WORK/www/paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
LUA

# --- nginx: same files, minimal config, current user, loopback -------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  types { image/png png; }
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; add_header Cache-Control no-cache; }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/error.log" &
PIDS+=($!)
GW_PORT=$(free_port)
"$BIN/KafkatorioBench" gateway-serve --port "$GW_PORT" --tiles-dir "$WORK/www" &
PIDS+=($!)
FIRST="$(head -n1 "$WORK/www/paths.txt")"
wait_http "http://127.0.0.1:$NGINX_PORT$FIRST"
wait_http "http://127.0.0.1:$GW_PORT$FIRST"
cmp <(curl -fsS "http://127.0.0.1:$NGINX_PORT$FIRST") <(curl -fsS "http://127.0.0.1:$GW_PORT$FIRST")

D="${WRK_SECONDS:-10}"
# Server CPU per request (user + system, all of the server's processes): steadier than req/s on a
# machine where wrk shares the cores.
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }
NGINX_PIDS=$(pgrep -P "${PIDS[0]}" | tr '\n' ' ')
GW_PID=${PIDS[1]}
measure() { # name url pids...
  local name=$1 url=$2; shift 2
  local t0; t0=$(ticks "$@")
  wrk -t2 -c64 -d"${D}s" -s "$WORK/paths.lua" "$url" > "$WORK/$name.txt"
  local t1; t1=$(ticks "$@")
  local n; n=$(awk '/requests in/ {print $1}' "$WORK/$name.txt")
  echo "$(rps < "$WORK/$name.txt") $(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')"
}
{
  echo "tiles: wrk -t2 -c64 -d${D}s over $(wc -l < "$WORK/www/paths.txt") distinct tiles (same files, loopback; nginx 2 workers, gateway 2 event loops)"
  wrk -t2 -c64 -d2s -s "$WORK/paths.lua" "http://127.0.0.1:$NGINX_PORT" > /dev/null  # warm-up
  wrk -t2 -c64 -d2s -s "$WORK/paths.lua" "http://127.0.0.1:$GW_PORT" > /dev/null
  read -r N NC < <(measure nginx "http://127.0.0.1:$NGINX_PORT" $NGINX_PIDS)
  read -r G GC < <(measure gw "http://127.0.0.1:$GW_PORT" "$GW_PID")
  echo "  nginx   $N req/s, server CPU $NC us/request   (latency $(awk '/Latency/ {print $2" avg, "$4" max"}' "$WORK/nginx.txt"))"
  echo "  gateway $G req/s, server CPU $GC us/request   (latency $(awk '/Latency/ {print $2" avg, "$4" max"}' "$WORK/gw.txt"))"
  awk -v g="$G" -v n="$N" -v gc="$GC" -v nc="$NC" 'BEGIN { printf "  ratio gateway/nginx = %.2f req/s (goal >= 1.0); CPU per request nginx/gateway = %.2f\n", g / n, nc / gc }'
  # Tiles on disk (the tile store, RocksDB): a cache holding them all (hits, as in memory), and
  # no cache at all (every request a cold read from disk, answered off the event loop).
  for CACHE in 65536 0; do
    DP=$(free_port)
    "$BIN/KafkatorioBench" gateway-serve --port "$DP" --tiles-dir "$WORK/www" --tile-directory "$WORK/gw-disk-$CACHE" --tile-cache-kib "$CACHE" &
    DPID=$!
    wait_http "http://127.0.0.1:$DP$FIRST"
    wrk -t2 -c64 -d2s -s "$WORK/paths.lua" "http://127.0.0.1:$DP" > /dev/null
    read -r R RC < <(measure "disk$CACHE" "http://127.0.0.1:$DP" "$DPID")
    kill "$DPID"; wait "$DPID" 2>/dev/null || true
    echo "  gateway, tiles on disk, cache ${CACHE} KiB: $R req/s, server CPU $RC us/request   (latency $(awk '/Latency/ {print $2" avg, "$4" max"}' "$WORK/disk$CACHE.txt"))"
    awk -v d="$R" -v n="$N" -v g="$G" -v dc="$RC" -v gc="$GC" 'BEGIN { printf "    ratio vs nginx = %.2f, vs in-memory gateway = %.2f req/s; extra CPU per request = %.1f us\n", d / n, d / g, dc - gc }'
  done
  # Past tiles (`?at=`, a seek in the history store over RocksDB, 20 versions a tile) against the
  # live ones, from the same gateway process in the same run.
  HP=$(free_port)
  "$BIN/KafkatorioBench" gateway-serve --port "$HP" --tiles-dir "$WORK/www" --history-directory "$WORK/gw-history" --past-paths "$WORK/past.txt" &
  HPID=$!
  wait_http "http://127.0.0.1:$HP$FIRST"
  sed "s#$WORK/www/paths.txt#$WORK/past.txt#" "$WORK/paths.lua" > "$WORK/past.lua"
  curl -fsS -o /dev/null "http://127.0.0.1:$HP$(head -n1 "$WORK/past.txt")"
  wrk -t2 -c64 -d2s -s "$WORK/past.lua" "http://127.0.0.1:$HP" > /dev/null
  read -r L LC < <(measure hlive "http://127.0.0.1:$HP" "$HPID")
  cp "$WORK/paths.lua" "$WORK/live.lua"; cp "$WORK/past.lua" "$WORK/paths.lua"
  read -r P PC < <(measure hpast "http://127.0.0.1:$HP" "$HPID")
  cp "$WORK/live.lua" "$WORK/paths.lua"
  if grep -q Non-2xx "$WORK/hpast.txt"; then echo "bench-gateway: past tiles answered non-2xx: $(grep Non-2xx "$WORK/hpast.txt")" >&2; exit 1; fi
  kill "$HPID"; wait "$HPID" 2>/dev/null || true
  echo "  gateway with history: live $L req/s ($LC us/request), past (?at=) $P req/s ($PC us/request)   (past latency $(awk '/Latency/ {print $2" avg, "$4" max"}' "$WORK/hpast.txt"))"
  awk -v p="$P" -v l="$L" 'BEGIN { printf "    ratio past/live = %.2f req/s\n", p / l }'
} | tee "$OUT/gateway-tiles.txt"
cleanup_pids() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 2; PIDS=(); }
cleanup_pids

# --- WebSocket fan-out ------------------------------------------------------------------------
WS_PORT=$(free_port)
"$BIN/KafkatorioBench" gateway-serve --port "$WS_PORT" --players 50 --hz 4 &
GW=$!
PIDS+=($GW)
wait_http "http://127.0.0.1:$WS_PORT/healthz"
RSS0=$(awk '/VmRSS/ {print $2}' /proc/$GW/status)
"$BIN/KafkatorioBench" ws-clients --url "ws://127.0.0.1:$WS_PORT/ws?server=bench" \
  --clients "${WS_CLIENTS:-1000}" --seconds "${WS_SECONDS:-20}" > "$WORK/ws.txt" &
CL=$!
PEAK=0
while kill -0 $CL 2>/dev/null; do
  R=$(awk '/VmRSS/ {print $2}' /proc/$GW/status); ((R > PEAK)) && PEAK=$R; sleep 0.5
done
wait $CL || echo "ws-clients exited with status $?" >> "$WORK/ws.txt"
{
  echo "ws: ${WS_CLIENTS:-1000} clients, 50 players at 4 Hz (200 updates/s, sent to each client in 100 ms frames; latency is from the oldest update in a frame)"
  echo "  $(cat "$WORK/ws.txt")"
  echo "  gateway RSS: $((RSS0 / 1024)) MiB idle, $((PEAK / 1024)) MiB peak with the clients"
} | tee "$OUT/gateway-ws.txt"
