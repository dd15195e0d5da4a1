#!/usr/bin/env python3
"""End-to-end freshness: a player line appended to a game log → LogPipe → Kafka → PacketIngest →
live → MapGateway → WebSocket message. Runs the four release binaries on a broker, appends
`--lines` player lines at `--hz` (x = line number), and times each from the append (after
flush) to its arrival at a WebSocket client. Prints p50/p99/max in milliseconds.

Then tile freshness: a `buildings` line appended → … → map → TileRenderer → tiles → MapGateway →
WebSocket `tile` invalidation of the building's detail tile (z 3). Each change puts a building on
a chunk no earlier change touched, so the first invalidation of that tile is the render of that
change: `--tile-changes` quiet changes at `--tile-hz`, each in a region of its own (the
renderer's first change of a quiet region), then a burst of `--burst` changes at `--burst-hz`
on distinct chunks of one region (the renderer coalesces a region re-rendered within its window).

    .tools/venv/bin/python scripts/bench-freshness.py --bin-dir .build/release --bootstrap 127.0.0.1:9092
(LD_LIBRARY_PATH must point at .tools/rdk, as for every binary.)
"""
import argparse, json, os, random, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request
import websocket  # websocket-client, in .tools/venv


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def player_line(tick, seq, x):
    body = json.dumps({"index": 1, "name": "Runner", "surface": "nauvis", "x": x, "y": 0.5,
                       "color": [1, 0.5, 0.1, 1], "online": True, "afk": False}, separators=(",", ":"))
    return f"KAFKATORIO/1 player {tick} {seq} {body}\n"


def seen_latencies(appended, received):
    """Sorted milliseconds from each appended position (number → append time) to when the viewer
    saw it (number → arrival time of the first message with it). The gateway sends player
    positions in frames: an update followed within the frame by a newer one of the same player is
    never sent itself. Its freshness is when the viewer saw that state or a newer one: the first
    message carrying this line's position or a later one."""
    seen_by = {}
    earliest = None
    for i in sorted(appended, reverse=True):
        if i in received:
            earliest = received[i] if earliest is None else min(earliest, received[i])
        if earliest is not None:
            seen_by[i] = earliest
    return sorted((seen_by[i] - t) * 1000 for i, t in appended.items() if i in seen_by)


def percentile(sorted_values, p):
    """The p-quantile (0…1) of a sorted non-empty list, as the report has always taken it."""
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", required=True); ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--lines", type=int, default=300); ap.add_argument("--hz", type=float, default=10)
    ap.add_argument("--tile-changes", type=int, default=40); ap.add_argument("--tile-hz", type=float, default=2)
    ap.add_argument("--burst", type=int, default=40); ap.add_argument("--burst-hz", type=float, default=10)
    a = ap.parse_args()
    run = "%08x" % random.getrandbits(32)
    prefix, server = f"fresh-{run}", f"fresh-{run}"
    work = tempfile.mkdtemp(prefix="kafkatorio-freshness-")
    log = os.path.join(work, "factorio-stdout.log")
    with open(log, "w") as f:
        f.write('KAFKATORIO/1 session_start 0 0 {"mod_version":"0.1.0","game_version":"2.0.77"}\n')
    port = free_port()
    common = ["--kafka-bootstrap", a.bootstrap, "--topic-prefix", prefix]
    env = dict(os.environ, LOG_LEVEL="warning")
    # Signed end to end, as in production: LogPipe signs with the server's secret, PacketIngest
    # verifies against its registry.
    secret = os.urandom(16).hex()
    with open(os.path.join(work, "logpipe.secret"), "w") as f:
        f.write(secret + "\n")
    with open(os.path.join(work, "servers"), "w") as f:
        f.write(f"{server} {secret}\n")
    specs = [("PacketIngest", common + ["--servers", os.path.join(work, "servers")]), ("TileRenderer", common),
             ("MapGateway", common + ["--host", "127.0.0.1", "--port", str(port), "--tile-directory", os.path.join(work, "gateway-tiles")]),
             ("LogPipe", common + ["--file", log, "--server-id", server, "--checkpoint", os.path.join(work, "ckpt"),
                          "--secret-file", os.path.join(work, "logpipe.secret")])]
    procs = []
    try:
        for name, args in specs:
            out = open(os.path.join(work, name + ".log"), "w")
            procs.append((name, subprocess.Popen([os.path.join(a.bin_dir, name)] + args, env=env, stdout=out, stderr=out)))
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1); break
            except Exception:
                time.sleep(0.1)
        received, ready = {}, threading.Event()
        tiles_seen = {}  # (x, y) of a buildings detail tile → first invalidation

        def reader():
            ws = websocket.create_connection(f"ws://127.0.0.1:{port}/ws?server={server}", timeout=60)
            ready.set()
            while True:
                try:
                    msg = json.loads(ws.recv())
                except Exception:
                    return
                if msg.get("type") == "tile" and msg.get("layer") == "buildings" and msg.get("z") == 3:
                    tiles_seen.setdefault((msg["x"], msg["y"]), time.time())
                for p in msg.get("players", []) if msg.get("type") == "players" else []:
                    if p.get("name") == "Runner":
                        received.setdefault(int(p["x"]), time.time())
        threading.Thread(target=reader, daemon=True).start()
        ready.wait(30)
        # Warm-up: the first line crosses every consumer group's join; not measured.
        appended = {}
        with open(log, "a") as f:
            f.write(player_line(1, 1, -1)); f.flush()
            deadline = time.time() + 120
            while -1 not in received and time.time() < deadline:
                time.sleep(0.05)
            if -1 not in received:
                sys.exit("freshness: the warm-up line never reached the WebSocket (see logs in %s)" % work)
            for i in range(a.lines):
                f.write(player_line(10 + i, 2 + i, i)); f.flush()
                appended[i] = time.time()
                time.sleep(1 / a.hz)
            # Tile freshness: quiet changes (a region each, 2 regions apart), then a burst in one region.
            changes = [("quiet", 16 * (k + 1), 0) for k in range(a.tile_changes)]
            changes += [("burst", 8 * 200 + k % 8, 8 * 200 + k // 8) for k in range(a.burst)]
            tile_appended, seq = {}, 1 + a.lines
            for n, (kind, cx, cy) in enumerate(changes):
                seq += 1
                body = json.dumps({"surface": "nauvis", "names": ["stone-furnace"], "forces": ["player"],
                                   "entities": [50_000 + n, 0, cx * 32 + 3.0, cy * 32 + 3.0, 0, 0]}, separators=(",", ":"))
                f.write(f"KAFKATORIO/1 buildings {seq} {seq} {body}\n"); f.flush()
                tile_appended[(cx, cy)] = (kind, time.time())
                time.sleep(1 / (a.tile_hz if kind == "quiet" else a.burst_hz))
        deadline = time.time() + 30
        while time.time() < deadline and not all(k in tiles_seen for k in tile_appended):
            time.sleep(0.1)
        time.sleep(3)
        for kind in ("quiet", "burst"):
            lat = sorted((tiles_seen[k] - t) * 1000 for k, (kd, t) in tile_appended.items() if kd == kind and k in tiles_seen)
            total = sum(1 for kd, _ in tile_appended.values() if kd == kind)
            if not lat:
                print(f"tile freshness ({kind}): none of {total} changes arrived"); continue
            q = lambda p: percentile(lat, p)
            hz = a.tile_hz if kind == "quiet" else a.burst_hz
            print(f"tile freshness ({kind}, {hz:g} Hz): {len(lat)}/{total} changes, log append → WebSocket tile "
                  f"invalidation: p50 {q(0.5):.0f} ms, p99 {q(0.99):.0f} ms, max {lat[-1]:.0f} ms")
        lat = seen_latencies(appended, received)
        if not lat:
            sys.exit("freshness: no line arrived")
        direct = sum(1 for i in appended if i in received)
        pct = lambda p: percentile(lat, p)
        print(f"freshness: {len(lat)}/{len(appended)} lines at {a.hz:g} Hz ({direct} sent as they were, "
              f"{len(lat) - direct} superseded within a frame by a newer position), log append → WebSocket "
              f"message with that position or a newer one: p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {lat[-1]:.0f} ms")
    finally:
        for name, p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        codes = []
        for name, p in procs:
            try:
                codes.append(f"{name}={p.wait(timeout=30)}")
            except subprocess.TimeoutExpired:
                p.kill(); codes.append(f"{name}=killed")
        print("freshness: exit codes " + " ".join(codes))


if __name__ == "__main__":
    main()
