"""What scripts/bench-scale.py measures with: a /proc sampler (peak RSS and CPU seconds of every
service process and the broker, across restarts and per phase), a WebSocket watcher (tile
invalidations and player positions as they arrive, with their arrival times), the gateway's tile
count, its history's size (versions, trail samples, bytes on disk), and a scan of the topics (records and bytes per topic; tiles per surface, layer and zoom).
Loaded by bench-scale.py with importlib (the file name has a dash, like the other bench scripts)."""
import json, os, re, threading, time, urllib.request
from confluent_kafka import Consumer, KafkaError, TopicPartition
import websocket  # websocket-client, in .tools/venv

CLK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def proc_sample(pid):
    """(cpu seconds, rss MiB, peak rss MiB) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / CLK
        rss = hwm = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
        return cpu, rss, max(rss, hwm)
    except (OSError, IndexError, ValueError):
        return None


class Sampler:
    """Samples every `period` s the processes `pids()` names ({name: pid}); remembers per pid the
    last CPU seconds and the peak RSS (VmHWM, so a peak between samples is not missed)."""

    def __init__(self, pids, period=0.5):
        self.pids, self.period = pids, period
        self.last = {}  # (name, pid) -> (cpu, peak)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(self.period)

    def sample(self):
        for name, pid in list(self.pids().items()):
            s = proc_sample(pid)
            if s:
                with self.lock:
                    old = self.last.get((name, pid), (0, 0))
                    self.last[(name, pid)] = (s[0], max(old[1], s[2]))

    def cpu(self, name, pid=None):
        """CPU seconds of every process of `name` so far (or of one pid)."""
        self.sample()
        with self.lock:
            return sum(c for (n, p), (c, _) in self.last.items() if n == name and (pid is None or p == pid))

    def peaks(self):
        """{name: peak RSS MiB of its largest process}."""
        with self.lock:
            out = {}
            for (n, _), (_, peak) in self.last.items():
                out[n] = max(out.get(n, 0), peak)
            return out

    def snapshot(self):
        """{name: cpu seconds}, to subtract: the CPU a phase took."""
        self.sample()
        with self.lock:
            out = {}
            for (n, _), (c, _) in self.last.items():
                out[n] = out.get(n, 0) + c
            return out

    def stop(self):
        self.stopped.set()
        self.thread.join()


class Watcher:
    """A WebSocket client of the gateway that records when each tile invalidation and each player
    position arrived; reconnects (with a fresh snapshot) whenever the gateway went away."""

    def __init__(self, port, server, player="Runner"):
        self.url, self.player = f"ws://127.0.0.1:{port}/ws?server={server}", player
        self.tiles = {}  # (surface, layer, z, x, y) -> arrivals, in order
        self.players = {}  # x (int) -> first arrival
        self.connected = threading.Event()
        self.stopped = False
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while not self.stopped:
            try:
                ws = websocket.create_connection(self.url, timeout=5)
            except Exception:
                time.sleep(0.2)
                continue
            self.connected.set()
            while not self.stopped:
                try:
                    raw = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                except Exception:
                    break
                now = time.time()
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if msg.get("type") == "tile":
                    self.tiles.setdefault((msg["surface"], msg["layer"], msg["z"], msg["x"], msg["y"]), []).append(now)
                elif msg.get("type") == "players":
                    for p in msg.get("players", []):
                        if p.get("name") == self.player:
                            self.players.setdefault(int(p["x"]), now)
            self.connected.clear()
            try:
                ws.close()
            except Exception:
                pass

    def tile_after(self, key, since):
        """Arrival of the first invalidation of `key` after `since`, or None."""
        return next((t for t in list(self.tiles.get(key, ())) if t >= since), None)


def gateway_tiles(port, server):
    """The gateway's tile count for `server` (/api/servers), or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/servers", timeout=5) as r:
            for s in json.loads(r.read()):
                if s.get("id") == server:
                    return s.get("tileCount", 0)
            return 0
    except Exception:
        return None


def scan_topics(bootstrap, prefix, server):
    """Reads every topic of `prefix` to its end: {topic: {records, bytes}} and, of `tiles`, the
    live tiles (last value per key non-empty) per surface/layer/zoom with their bytes."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-scale-scan-{os.getpid()}", "enable.auto.commit": False,
                  "enable.partition.eof": True, "fetch.max.bytes": 64 << 20})
    try:
        md = c.list_topics(timeout=10).topics
        tps = [TopicPartition(t, p, 0) for t in md if t.startswith(prefix + ".") for p in md[t].partitions]
        c.assign(tps)
        left = {(tp.topic, tp.partition) for tp in tps}
        topics, last = {}, {}
        deadline = time.time() + 900
        while left and time.time() < deadline:
            for m in c.consume(5000, 1.0):
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        left.discard((m.topic(), m.partition()))
                    continue
                t = topics.setdefault(m.topic()[len(prefix) + 1:], dict(records=0, bytes=0))
                size = len(m.value() or b"") + len(m.key() or b"")
                t["records"] += 1
                t["bytes"] += size
                if m.topic() == prefix + ".tiles":
                    last[(m.key() or b"").decode()] = len(m.value() or b"")
        tiles = {}
        for key, size in last.items():
            parts = key.split("/")
            if size and len(parts) == 6 and parts[0] == server:
                k = f"{parts[1]}/{parts[2]}/z{parts[3]}"
                e = tiles.setdefault(k, dict(tiles=0, bytes=0))
                e["tiles"] += 1
                e["bytes"] += size
        return dict(topics=topics, tiles=dict(sorted(tiles.items())), complete=not left)
    finally:
        c.close()


def history_sample(port, directory):
    """The gateway's history as /metrics and its --history-directory show it: stored tile
    versions, trail samples taken and swept, and the directory's bytes on disk (RocksDB files)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out = {}
    for name in ("kafkatorio_gateway_history_versions", "kafkatorio_gateway_trail_samples_total",
                 "kafkatorio_gateway_trail_samples_swept_total"):
        m = re.search(r"^" + name + r"(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
        out[name.replace("kafkatorio_gateway_", "")] = float(m.group(1)) if m else 0.0
    total = 0
    for root, _, files in os.walk(directory):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    out["disk_bytes"] = total
    out["time"] = time.time()
    return out


def settled_history(port, directory, step=3, timeout=60):
    """A history_sample() once the version count stopped growing (two equal samples `step` s
    apart), or the last one after `timeout` s."""
    last, end = history_sample(port, directory), time.time() + timeout
    while time.time() < end:
        time.sleep(step)
        h = history_sample(port, directory)
        if h["history_versions"] == last["history_versions"]:
            return h
        last = h
    return last


def history_rate(h0, h1):
    """Growth between two history_sample()s, extrapolated to a day."""
    day = 86400 / max(1e-9, h1["time"] - h0["time"])
    versions = h1["history_versions"] - h0["history_versions"]
    grown = h1["disk_bytes"] - h0["disk_bytes"]
    return dict(seconds=round(h1["time"] - h0["time"], 1), versions=round(versions), disk_bytes=grown,
                versions_per_day=round(versions * day),
                trail_samples_per_day=round((h1["trail_samples_total"] - h0["trail_samples_total"]) * day),
                disk_mib_per_day=round(grown * day / 2 ** 20, 1),
                bytes_per_version_on_disk=round(h1["disk_bytes"] / h1["history_versions"]) if h1["history_versions"] else None)
