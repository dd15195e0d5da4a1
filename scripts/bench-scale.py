#!/usr/bin/env python3
"""`make bench-scale`: a big generated world through the four real services on the embedded broker.

scripts/scaleworld.py writes an explored world of SIDE×SIDE chunks (plus smaller surfaces) as a
headless server's stdout (generated once per setting, cached in .run/bench-scale/). LogPipe,
PacketIngest, one TileRenderer and MapGateway (release binaries, chaoslib.System) read it on a
private broker. The benchmark reports:
  - load: seconds from handing the world to LogPipe until the gateway holds every tile (its
    tile count reached the final one and the system is idle: chaoslib's idle check), tiles per
    surface, layer and zoom, records and bytes per topic, each service's and the broker's peak
    RSS and CPU seconds (/proc, sampled);
  - changes: buildings placed and mined on the big map while a player walks: log line → WebSocket
    tile invalidation (its zoom-3 tile) and log line → WebSocket player position, p50/p99;
  - restarts: TileRenderer, MapGateway and PacketIngest each SIGKILLed and restarted at once:
    seconds until it serves changes again (a building placed after the restart reaches a
    WebSocket as a tile invalidation; for the gateway also until it serves every tile again, for
    PacketIngest until a player position arrives) and the CPU seconds its new process used.
Results: .run/bench/scale-side<SIDE>.json and a table on stdout. The machine's load average is
recorded: on a shared machine timings vary, CPU seconds and RSS less.

    .tools/venv/bin/python scripts/bench-scale.py --bin-dir .build/release [--side 300] [--surfaces 2]
"""
import argparse, importlib.util, json, os, random, resource, shutil, signal, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chaoslib import ROOT, System, http_get
import scaleworld


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), os.path.join(ROOT, "scripts", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


meter, freshness = load("bench-scale-meter"), load("bench-freshness")
SERVICES = ["LogPipe", "PacketIngest", "TileRenderer-1", "MapGateway"]
SERVER = "chaos"  # chaoslib.System's server id


def arguments():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", default=env("KAFKATORIO_BIN_DIR", os.path.join(ROOT, ".build/release")))
    ap.add_argument("--side", type=int, default=int(env("SIDE", 300)), help="nauvis chunks per side (SIDE, 300)")
    ap.add_argument("--surfaces", type=int, default=int(env("SURFACES", 2)), help="surfaces (SURFACES, 2: nauvis and vulcanus)")
    ap.add_argument("--density", type=float, default=float(env("DENSITY", 1.2)), help="buildings per chunk (DENSITY, 1.2)")
    ap.add_argument("--seed", type=int, default=int(env("SEED", 1)))
    ap.add_argument("--changes", type=int, default=int(env("BENCH_SCALE_CHANGES", 60)), help="buildings placed or mined (60)")
    ap.add_argument("--change-hz", type=float, default=2.0, help="building changes per second (2)")
    ap.add_argument("--player-hz", type=float, default=10.0, help="player lines per second during the changes (10)")
    ap.add_argument("--timeout", type=float, default=float(env("BENCH_SCALE_TIMEOUT", 2400)), help="seconds a phase may take")
    ap.add_argument("--no-restarts", action="store_true", help="skip the restart phases")
    ap.add_argument("--renderer-state", choices=["store", "memory"], default=env("BENCH_SCALE_RENDERER_STATE", "store"),
                    help="TileRenderer's state: a local store (--state-directory, as deployed; the default) or in memory")
    ap.add_argument("--generate-only", action="store_true", help="only generate (and cache) the world")
    ap.add_argument("--out", default=None, help="result JSON (.run/bench/scale-side<SIDE>.json)")
    a = ap.parse_args()
    a.out = a.out or os.path.join(ROOT, f".run/bench/scale-side{a.side}.json")
    return a


def log(msg):
    print(f"bench-scale {time.strftime('%H:%M:%S')} {msg}", flush=True)


def world(a):
    """The cached world file and its summary; generated (and timed) when missing."""
    d = os.path.join(ROOT, ".run/bench-scale")
    os.makedirs(d, exist_ok=True)
    base = os.path.join(d, f"world-side{a.side}-surfaces{a.surfaces}-density{a.density:g}-seed{a.seed}")
    if not os.path.exists(base + ".json"):
        log(f"generating the world ({base}.log)")
        for f in (base + ".log", base + ".tmp"):
            if os.path.exists(f):
                os.remove(f)
        t0 = time.time()
        p = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/scaleworld.py"), "--side", str(a.side), "--surfaces",
                              str(a.surfaces), "--density", str(a.density), "--seed", str(a.seed), "--out", base + ".tmp",
                              "--summary", base + ".tmp.json"])
        _, status, usage = os.wait4(p.pid, 0)
        if status != 0:
            sys.exit(f"bench-scale: the generator failed ({status})")
        s = json.load(open(base + ".tmp.json"))
        s["generator"] = dict(wall_seconds=round(time.time() - t0, 1), cpu_seconds=round(usage.ru_utime + usage.ru_stime, 1),
                              peak_rss_mib=round(usage.ru_maxrss / 1024, 1),
                              lines_per_cpu_second=round(s["lines"] / max(usage.ru_utime + usage.ru_stime, 1e-9)))
        os.rename(base + ".tmp", base + ".log")
        json.dump(s, open(base + ".json", "w"), indent=1)
        os.remove(base + ".tmp.json")
    return base + ".log", json.load(open(base + ".json"))


class Game:
    """Appends packet lines to the game log after the world's last one (seq and tick go on)."""

    def __init__(self, path, summary):
        self.path, self.seq, self.tick = path, summary["next_seq"], summary["tick"] + 60
        self.lock = threading.Lock()
        self.f = open(path, "a")

    def line(self, make):
        """Appends make(tick, seq) (a line with its newline); returns the time after the flush."""
        with self.lock:
            self.f.write(make(self.tick, self.seq))
            self.f.flush()
            self.seq += 1
            self.tick += 1
            return time.time()

    def packet(self, ptype, payload):
        return self.line(lambda t, s: f"KAFKATORIO/1 {ptype} {t} {s} {scaleworld.encode(payload)}\n")

    def player(self, x):
        return self.line(lambda t, s: freshness.player_line(t, s, x))


class Changes:
    """Buildings placed on chunks that never had one and buildings of the world mined."""

    def __init__(self, summary, game, seed):
        self.game, self.rng = game, random.Random(seed)
        self.unit = max(summary["next_unit"], 10 ** 9)
        self.half = summary["settings"]["side"] // 2
        self.fhalf = summary["factory_half"].get("nauvis", 0)
        self.mine = [b for b in summary["sample"]]
        self.rng.shuffle(self.mine)
        self.used = set()

    def place(self):
        """A steel chest on a fresh nauvis chunk outside the factory; (tile key, append time)."""
        while True:
            cx, cy = self.rng.randrange(-self.half, self.half), self.rng.randrange(-self.half, self.half)
            if (cx, cy) not in self.used and max(abs(cx + 0.5), abs(cy + 0.5)) >= self.fhalf + 1:
                break
        self.used.add((cx, cy))
        self.unit += 1
        x, y = cx * 32 + self.rng.randrange(32) + 0.5, cy * 32 + self.rng.randrange(32) + 0.5
        t = self.game.packet("buildings", dict(surface="nauvis", names=["steel-chest"], forces=["player"],
                                               entities=[self.unit, 0, x, y, 0, 0]))
        return ("nauvis", "buildings", 3, cx, cy), t

    def remove(self):
        """Mines a building of the world's sample; (tile key, append time), or a placement when none is left."""
        if not self.mine:
            return self.place()
        b = self.mine.pop()
        t = self.game.packet("building_removed", dict(surface=b["surface"], removed=[b["unit"], b["x"], b["y"]]))
        return (b["surface"], "buildings", 3, int(b["x"] // 32), int(b["y"] // 32)), t


def stats(values):
    v = sorted(values)
    if not v:
        return dict(n=0)
    pct = lambda p: round(freshness.percentile(v, p), 1)
    return dict(n=len(v), p50=pct(0.5), p99=pct(0.99), max=round(v[-1], 1))


def wait(cond, timeout, step=0.2):
    """Polls cond() until it returns something truthy; that value, or None after `timeout` s."""
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return None


class Bench:
    def __init__(self, a, s, summary, game):
        self.a, self.s, self.summary, self.game = a, s, summary, game
        self.port = s.ports["MapGateway"]
        self.sampler = meter.Sampler(self.pids)
        self.changes = Changes(summary, game, a.seed)
        self.watcher = meter.Watcher(self.port, SERVER)
        self.player_x = 100000

    def pids(self):
        out = {n: p.pid for n, p in self.s.procs.items() if p.poll() is None}
        out["broker"] = self.s.broker_pid
        return out

    def converge(self):
        """Seconds until the gateway holds every tile, the final count, and when the system was idle."""
        t0, counts, last, since = time.time(), [], None, None
        while time.time() - t0 < self.a.timeout:
            self.s.reap()
            n = meter.gateway_tiles(self.port, SERVER)
            counts.append((time.time() - t0, n or 0))
            reason, last = self.s.idle_reason(last)
            if reason is None:
                since = since or time.time()
                if time.time() - since >= 10:
                    final = counts[-1][1]
                    first = next(t for t, c in counts if c == final)
                    return dict(seconds_to_every_tile=round(first, 1), tiles=final, idle_after=round(since - t0, 1))
            else:
                since = None
                if len(counts) % 15 == 0:
                    log(f"loading: gateway holds {n} tiles after {time.time() - t0:.0f} s ({reason})")
            time.sleep(2)
        return dict(seconds_to_every_tile=None, tiles=counts[-1][1] if counts else None, timeout=self.a.timeout)

    def change_phase(self):
        """Building changes at change-hz, player lines at player-hz meanwhile."""
        done, appended = threading.Event(), {}

        def walk():
            while not done.is_set():
                self.player_x += 1
                appended[self.player_x] = self.game.player(self.player_x)
                time.sleep(1 / self.a.player_hz)
        threading.Thread(target=walk, daemon=True).start()
        probes = []
        for i in range(self.a.changes):
            probes.append(self.changes.place() if i % 2 == 0 else self.changes.remove())
            time.sleep(1 / self.a.change_hz)
        wait(lambda: all(self.watcher.tile_after(k, t) for k, t in probes), 30)
        done.set()
        time.sleep(2)
        tile_ms = [(self.watcher.tile_after(k, t) - t) * 1000 for k, t in probes if self.watcher.tile_after(k, t)]
        players = freshness.seen_latencies(appended, dict(self.watcher.players))
        return dict(changes=len(probes), tile_invalidation_ms=dict(stats(tile_ms), lost=len(probes) - len(tile_ms)),
                    player_ms=dict(stats(players), lines=len(appended)))

    def first_change(self, t_restart, every=3.0):
        """Seconds from the restart until a building placed after it reaches the WebSocket."""
        probes, end = [], time.time() + self.a.timeout
        while time.time() < end:
            if not probes or time.time() - probes[-1][1] >= every:
                probes.append(self.changes.place())
            hits = [self.watcher.tile_after(k, t) for k, t in probes]
            if any(hits):
                return round(min(h for h in hits if h) - t_restart, 2)
            time.sleep(0.1)
        return None

    def restart(self, name):
        s = self.s
        old_cpu = self.sampler.snapshot()
        log(f"restart phase: SIGKILL {name}")
        s.kill(name)
        t = time.time()
        s.start(name)
        pid = s.procs[name].pid
        out = dict(service=name)
        if name == "MapGateway":
            out["healthy_s"] = wait(lambda: http_get(f"http://127.0.0.1:{self.port}/healthz", 1)[0] == 200 and round(time.time() - t, 2), self.a.timeout)
            out["every_tile_s"] = wait(lambda: (meter.gateway_tiles(self.port, SERVER) or 0) >= self.final_tiles and round(time.time() - t, 2), self.a.timeout)
            out["cpu_until_every_tile_s"] = round(self.sampler.cpu(name, pid), 2)
        if name == "PacketIngest":
            self.player_x += 1
            x, tp = self.player_x, self.game.player(self.player_x)
            out["player_s"] = wait(lambda: x in self.watcher.players and round(self.watcher.players[x] - t, 2), self.a.timeout)
        out["serves_changes_s"] = self.first_change(t)
        out["cpu_until_serving_s"] = round(self.sampler.cpu(name, pid), 2)
        idle = self.s.wait_idle(quiet=5, timeout=self.a.timeout)
        out["idle_s"] = round(time.time() - t, 1) if idle is not None else None
        out["cpu_until_idle_s"] = round(self.sampler.cpu(name, pid), 2)
        new = self.sampler.snapshot()
        out["cpu_by_service_s"] = {k: round(new.get(k, 0) - old_cpu.get(k, 0), 2) for k in new}
        log(f"restart phase {name}: {out}")
        return out


def tiles_by_layer(tiles):
    """"terrain 14,391 / 11,089, …" from scan_topics' {surface/layer/zN: {tiles, bytes}}."""
    total, detail, size = {}, {}, {}
    for key, v in tiles.items():
        _, layer, z = key.split("/")
        total[layer] = total.get(layer, 0) + v["tiles"]
        size[layer] = size.get(layer, 0) + v["bytes"]
        if z == "z3":
            detail[layer] = detail.get(layer, 0) + v["tiles"]
    return ", ".join(f"{k} {total[k]:,} / {detail.get(k, 0):,} ({size[k] / 1e6:.0f} MB)" for k in sorted(total))


def table(r):
    """The summary as a Markdown table (README's benchmark section)."""
    L, peak, cpu = r["load"], r["peak_rss_mib"], r["cpu_seconds"]
    rows = [("world", f"{r['world']['chunks']:,} chunks, {r['world']['buildings']:,} buildings, {r['world']['lines']:,} lines "
                      f"({r['world']['bytes'] / 1e6:.0f} MB); generator {r['world']['generator']['lines_per_cpu_second']:,} lines per CPU second, "
                      f"peak {r['world']['generator']['peak_rss_mib']} MiB"),
            ("every tile in the gateway", f"{L['seconds_to_every_tile']} s ({L['tiles']:,} tiles)"),
            ("tiles per layer (all zooms / z3)", tiles_by_layer(r.get("topics", {}).get("tiles", {}))),
            ("peak RSS MiB", ", ".join(f"{k} {v:.0f}" for k, v in sorted(peak.items()))),
            ("CPU s (load)", ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu["load"].items())))]
    c = r.get("changes")
    if c:
        t, p = c["tile_invalidation_ms"], c["player_ms"]
        rows.append(("tile freshness", f"p50 {t.get('p50')} ms, p99 {t.get('p99')} ms ({t['n']} of {c['changes']} changes, {t['lost']} lost)"))
        rows.append(("player freshness", f"p50 {p.get('p50')} ms, p99 {p.get('p99')} ms ({p['n']} lines)"))
    h, hl = r.get("history_changes"), r.get("history_load")
    if h and hl:
        rows.append(("history", f"{hl['history_versions']:,.0f} versions, {hl['disk_bytes'] / 2 ** 20:.1f} MiB after the load; "
                                f"change phase: {h['versions']} versions, {h['disk_bytes'] / 1024:.0f} KiB in {h['seconds']} s "
                                f"= {h['versions_per_day']:,} versions, {h['disk_mib_per_day']} MiB per day"))
    for x in r.get("restarts", []):
        extra = "".join(f", {k} {x[k]} s" for k in ("healthy_s", "every_tile_s", "player_s") if k in x)
        rows.append((f"SIGKILL {x['service']}", f"serves changes after {x['serves_changes_s']} s{extra}; its CPU until then "
                                                 f"{x['cpu_until_serving_s']} s, until idle {x['cpu_until_idle_s']} s"))
    return "\n".join(["| SIDE=%d | |" % r["settings"]["side"], "|---|---|"] + [f"| {k} | {v} |" for k, v in rows])


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    a = arguments()
    path, summary = world(a)
    log(f"world: {summary['chunks']} chunks, {summary['buildings']} buildings, {summary['lines']} lines, "
        f"{summary['bytes'] / 1e6:.1f} MB; generator {summary['generator']}")
    if a.generate_only:
        return
    work = os.path.join(ROOT, f".run/bench-scale/side{a.side}")
    subprocess.call(["rm", "-rf", work])
    s = System(work, a.bin_dir, log, services=SERVICES, renderer_state=a.renderer_state == "store")
    s.env["LOG_LEVEL"] = os.environ.get("BENCH_SCALE_LOG_LEVEL", "warning")
    r = dict(settings=dict(side=a.side, surfaces=a.surfaces, density=a.density, seed=a.seed, bin_dir=a.bin_dir,
                           renderer_state=a.renderer_state),
             load_average_start=os.getloadavg(), world={k: v for k, v in summary.items() if k != "sample"})
    s.start_broker()
    b = None
    try:
        s.prepare()
        for v in SERVICES:
            s.start(v)
        if wait(lambda: not s.health(), 120, 0.5) is None:
            sys.exit(f"bench-scale: services not healthy: {s.health()} (logs in {work})")
        b = Bench(a, s, summary, Game(s.game_log, summary))
        log("services up; handing the world to LogPipe")
        with open(path, "rb") as src, open(s.game_log, "ab") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        r["load"] = b.converge()
        r["cpu_seconds"] = dict(load={k: round(v, 1) for k, v in b.sampler.snapshot().items()})
        r["peak_rss_mib_load"] = {k: round(v) for k, v in b.sampler.peaks().items()}
        log(f"load: {r['load']}; cpu {r['cpu_seconds']['load']}; peak RSS {r['peak_rss_mib_load']}")
        if r["load"].get("seconds_to_every_tile") is None:
            raise SystemExit("bench-scale: the world did not converge")
        b.final_tiles = r["load"]["tiles"]
        r["topics"] = meter.scan_topics(s.bootstrap, "kafkatorio", SERVER)
        log(f"topics: {json.dumps(r['topics']['topics'])}")
        hist_dir = os.path.join(work, "gateway-tiles-history")
        h0 = meter.history_sample(b.port, hist_dir)
        r["history_load"] = h0
        before = b.sampler.snapshot()
        r["changes"] = b.change_phase()
        after = b.sampler.snapshot()
        # The history the change phase added (its versions are written as the gateway reads
        # tile-history, so wait for the count to settle first), extrapolated to a day of changes.
        r["history_changes"] = meter.history_rate(h0, meter.settled_history(b.port, hist_dir))
        log(f"history: load {h0}; changes {r['history_changes']}")
        r["cpu_seconds"]["changes"] = {k: round(after.get(k, 0) - before.get(k, 0), 1) for k in after}
        log(f"changes: {r['changes']}")
        if not a.no_restarts:
            s.wait_idle(quiet=5, timeout=a.timeout)
            r["restarts"] = [b.restart(n) for n in ("TileRenderer-1", "MapGateway", "PacketIngest")]
        r["peak_rss_mib"] = {k: round(v) for k, v in b.sampler.peaks().items()}
        r["load_average_end"] = os.getloadavg()
    finally:
        if b:
            b.sampler.stop()
            b.watcher.stopped = True
        r["shutdown"] = s.stop_all()
        s.stop_broker()
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(r, f, indent=1)
        log(f"results in {a.out}")
    print(table(r))


if __name__ == "__main__":
    main()
