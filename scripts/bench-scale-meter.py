"""What scripts/bench-scale.py measures with: a /proc sampler (peak RSS and CPU seconds of every
service process and the broker, across restarts and per phase), a WebSocket watcher (tile
invalidations and player positions as they arrive, with their arrival times), the gateway's tile
count, and a scan of the topics (records and bytes per topic; tiles per surface, layer and zoom).
Loaded by bench-scale.py with importlib (the file name has a dash, like the other bench scripts)."""
import json, os, threading, time, urllib.request
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
