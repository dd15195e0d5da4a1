"""The whole system for scripts/chaos.py: a private broker, LogPipe, PacketIngest, two TileRenderer
workers and MapGateway as real processes, with what the driver needs to hurt them (SIGKILL a
service and restart it, SIGSTOP/SIGCONT the broker), to tell when they converged (their /healthz
and /metrics, consumer-group lag, topics that stopped growing) and to read the result (the
`tiles` and `map` topics, and the tiles the gateway serves)."""
import json, os, signal, socket, subprocess, time, urllib.error, urllib.request
from confluent_kafka import Consumer, KafkaError, TopicPartition

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = "chaos"
PREFIX = "kafkatorio"
SERVICES = ["LogPipe", "PacketIngest", "TileRenderer-1", "TileRenderer-2", "MapGateway"]
# Packet types PacketIngest routes to `map` (docs/architecture.md, "Topics"); `surface` only when deleted.
MAP_TYPES = {"chunk_terrain", "chunk_buildings", "chunk_resources", "chunk_deleted", "tiles", "buildings", "building_removed"}


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def http_get(url, timeout=5):
    """(status, body) of a GET; status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except Exception:
        return 0, b""


def metrics(url):
    """Prometheus text → {name{labels}: value}; {} when the endpoint does not answer."""
    status, body = http_get(url)
    out = {}
    if status != 200:
        return out
    for line in body.decode("utf-8", "replace").splitlines():
        if line and not line.startswith("#") and " " in line:
            name, value = line.rsplit(" ", 1)
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


def map_lines(game):
    """Byte offset → packet type of every line of the game output that PacketIngest routes to `map`."""
    out, offset = {}, 0
    with open(game, "rb") as f:
        for raw in f:
            parts = raw.split(b" ", 4)
            if len(parts) == 5 and parts[0] == b"KAFKATORIO/1":
                kind = parts[1].decode()
                if kind in MAP_TYPES or (kind == "surface" and b'"deleted":true' in parts[4]):
                    out[offset] = kind
            offset += len(raw)
    return out


class System:
    """One run of the whole system in `work`, on its own broker."""

    def __init__(self, work, bin_dir, log, services=SERVICES, renderer_state=False):
        """`renderer_state`: each TileRenderer keeps its state in a local store
        (`--state-directory <work>/<service>-state`) that survives its kills, as `make run`,
        systemd and Kubernetes run it; otherwise its state is in memory, restored from the changelog."""
        self.work, self.bin_dir, self.log = work, bin_dir, log
        self.renderer_state = renderer_state
        self.services = list(services)  # a subset of SERVICES (scripts/bench-scale.py runs one renderer)
        os.makedirs(work, exist_ok=True)
        self.game_log = os.path.join(work, "factorio-stdout.log")
        self.procs, self.ports, self.killed = {}, {}, set()
        self.exits = []  # (service, code) of exits nobody asked for
        self.env = dict(os.environ, LOG_LEVEL=os.environ.get("CHAOS_LOG_LEVEL", "info"))
        self.env["LD_LIBRARY_PATH"] = os.path.join(ROOT, ".tools/rdk") + ":" + self.env.get("LD_LIBRARY_PATH", "")

    # -- broker ---------------------------------------------------------------------------------
    def start_broker(self):
        state = os.path.join(self.work, "broker")
        self.bootstrap = subprocess.check_output([os.path.join(ROOT, "scripts/broker-start.sh"), state], text=True).strip()
        self.broker_pid = int(open(os.path.join(state, "pid")).read())
        self.env["KAFKA_BOOTSTRAP"] = self.bootstrap

    def stop_broker(self):
        os.kill(self.broker_pid, signal.SIGCONT) if self.broker_alive() else None
        subprocess.call([os.path.join(ROOT, "scripts/broker-stop.sh"), os.path.join(self.work, "broker")])

    def broker_alive(self):
        try:
            os.kill(self.broker_pid, 0); return True
        except OSError:
            return False

    def pause_broker(self, seconds):
        self.log(f"SIGSTOP broker for {seconds} s")
        os.kill(self.broker_pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.kill(self.broker_pid, signal.SIGCONT)
        self.log("SIGCONT broker")

    # -- services -------------------------------------------------------------------------------
    def prepare(self):
        secret = os.urandom(16).hex()
        for name, text in [("logpipe.secret", secret + "\n"), ("servers", f"{SERVER} {secret}\n")]:
            with open(os.path.join(self.work, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(self.work, name), 0o600)
        open(self.game_log, "ab").close()
        for s in self.services:
            self.ports[s] = free_port()

    def command(self, service):
        w, port = self.work, str(self.ports[service])
        if service == "LogPipe":
            return ["LogPipe", "--file", self.game_log, "--server-id", SERVER, "--checkpoint", os.path.join(w, "logpipe.checkpoint"),
                    "--secret-file", os.path.join(w, "logpipe.secret"), "--metrics-port", port]
        if service == "PacketIngest":
            return ["PacketIngest", "--servers", os.path.join(w, "servers"), "--metrics-port", port]
        if service.startswith("TileRenderer"):
            state = ["--state-directory", os.path.join(w, service + "-state")] if self.renderer_state else []
            return ["TileRenderer", "--metrics-port", port, "--worker-id", service] + state
        # Its tiles on disk survive its kills: a restart resumes from the store's offsets.
        return ["MapGateway", "--host", "127.0.0.1", "--port", port, "--tile-directory", os.path.join(w, "gateway-tiles")]

    def start(self, service):
        cmd = self.command(service)
        out = open(os.path.join(self.work, service + ".log"), "ab")
        out.write(f"==== {time.strftime('%H:%M:%S')} start {' '.join(cmd)}\n".encode()); out.flush()
        self.procs[service] = subprocess.Popen([os.path.join(self.bin_dir, cmd[0])] + cmd[1:], env=self.env, stdout=out, stderr=out)
        self.killed.discard(service)

    def kill(self, service):
        p = self.procs[service]
        self.killed.add(service)
        p.send_signal(signal.SIGKILL)
        p.wait()

    def reap(self):
        """Restarts services that exited without being killed (recorded in `exits`)."""
        for s, p in list(self.procs.items()):
            code = p.poll()
            if code is not None and s not in self.killed:
                self.exits.append((s, code))
                self.log(f"{s} exited on its own with status {code}; restarting it")
                time.sleep(1)
                self.start(s)

    def stop_all(self):
        """SIGTERM to every service; {service: exit status} (None: had to be killed after 60 s)."""
        for s in reversed(self.services):
            if self.procs.get(s) and self.procs[s].poll() is None:
                self.procs[s].send_signal(signal.SIGTERM)
        codes = {}
        for s in self.services:
            p = self.procs.get(s)
            if not p:
                continue
            try:
                codes[s] = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait(); codes[s] = None
        return codes

    # -- convergence ----------------------------------------------------------------------------
    def metrics_url(self, service):
        return f"http://127.0.0.1:{self.ports[service]}/metrics"

    def health(self):
        """Services whose /healthz does not answer 200."""
        return [s for s in self.services if http_get(f"http://127.0.0.1:{self.ports[s]}/healthz")[0] != 200]

    def consumer(self):
        return Consumer({"bootstrap.servers": self.bootstrap, "group.id": "chaos-reader-%d" % os.getpid(),
                         "enable.auto.commit": False, "enable.partition.eof": True})

    def partitions(self, consumer, topics):
        """(topic, partition, Tansu's high watermark) of every partition of `topics`. Tansu
        answers the base offset of a partition's last record batch as its high watermark, not
        the offset after its last record: use it only as a place to start reading from."""
        md = consumer.list_topics(timeout=10).topics
        out = []
        for t in topics:
            for p in (md[f"{PREFIX}.{t}"].partitions if f"{PREFIX}.{t}" in md else {}):
                out.append((t, p, consumer.get_watermark_offsets(TopicPartition(f"{PREFIX}.{t}", p), timeout=10)[1]))
        return out

    def scan(self, topics, from_end=False):
        """Reads `topics` to their end (partition EOF): ({(topic, partition): next offset},
        [(topic, partition, offset, key, value, headers)]); from the last batch only if `from_end`."""
        c = self.consumer()
        try:
            parts = self.partitions(c, topics)
            ends = {(t, p): (hw if from_end else 0) for t, p, hw in parts}
            c.assign([TopicPartition(f"{PREFIX}.{t}", p, ends[(t, p)]) for t, p, _ in parts])
            left, records, deadline = set(ends), [], time.time() + 120
            while left and time.time() < deadline:
                for m in c.consume(1000, 1.0):
                    tp = (m.topic()[len(PREFIX) + 1:], m.partition())
                    if m.error():
                        if m.error().code() == KafkaError._PARTITION_EOF:
                            left.discard(tp)
                        continue
                    ends[tp] = max(ends[tp], m.offset() + 1)
                    if not from_end:
                        records.append((tp[0], tp[1], m.offset(), (m.key() or b"").decode(), m.value() or b"",
                                        {k: (v or b"").decode() for k, v in (m.headers() or [])}))
            if left:
                raise RuntimeError(f"reading {sorted(left)}: no end of partition within 120 s")
            return ends, records
        finally:
            c.close()

    def group_lag(self, ends):
        """Records not yet committed by PacketIngest (raw, console) and the detail renderers (map)."""
        lag = 0
        for group, topics in [("packet-ingest", ["raw", "console"]), ("tile-renderer", ["map"])]:
            tps = [TopicPartition(f"{PREFIX}.{t}", p) for (t, p) in ends if t in topics]
            c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"{PREFIX}.{group}", "enable.auto.commit": False})
            try:
                for tp in c.committed(tps, timeout=10):
                    lag += ends[(tp.topic[len(PREFIX) + 1:], tp.partition)] - max(tp.offset, 0)
            finally:
                c.close()
        return lag

    def idle_reason(self, last_ends):
        """Why the system is not idle yet (None when it is), and the topic ends seen."""
        ends, _ = self.scan(["raw", "console", "map", "tiles", "pyramid", "renderer-state"], from_end=True)
        if any(p.poll() is not None for p in self.procs.values()):
            return "a service is down", ends
        sick = self.health()
        if sick:
            return f"/healthz not ok: {sick}", ends
        ckpt = os.path.join(self.work, "logpipe.checkpoint")
        done = open(ckpt).read().split()[-1] if os.path.exists(ckpt) else "0"
        if int(done) != os.path.getsize(self.game_log):
            return f"LogPipe checkpoint {done} of {os.path.getsize(self.game_log)} bytes", ends
        lag = self.group_lag(ends)
        if lag:
            return f"consumer lag {lag}", ends
        for s in (s for s in self.services if s.startswith("TileRenderer")):
            m = metrics(self.metrics_url(s))
            busy = {k: v for k, v in m.items() if k.startswith(("renderer_dirty_tiles", "renderer_restoring_partitions")) and v}
            if busy or not m:
                return f"{s} busy: {busy or 'no metrics'}", ends
        if ends != last_ends:
            return "topics still growing", ends
        return None, ends

    def wait_idle(self, quiet=15, timeout=900):
        """Waits until the system is idle for `quiet` seconds; returns the seconds it took, or None."""
        start, since, last, reason, told = time.time(), None, None, "?", 0
        while time.time() - start < timeout:
            self.reap()
            reason, last = self.idle_reason(last)
            if reason is None:
                since = since or time.time()
                if time.time() - since >= quiet:
                    return time.time() - start
            else:
                since = None
                if time.time() - told > 30:
                    self.log(f"not idle yet: {reason}")
                    told = time.time()
            time.sleep(2)
        self.log(f"not idle after {timeout} s: {reason}")
        return None

    # -- results --------------------------------------------------------------------------------
    def tiles(self):
        """The last value per key of `tiles` (removed tiles left out), and how many records put
        a key back to a value it had before a different one (an old state published again)."""
        last, seen, reverted = {}, {}, 0
        for _, _, _, key, value, _ in sorted(self.scan(["tiles"])[1], key=lambda r: (r[1], r[2])):
            if key in last and value != last[key] and value in seen.get(key, ()):
                reverted += 1
            seen.setdefault(key, set()).add(value)
            last[key] = value
        return {k: v for k, v in last.items() if v}, reverted

    def routed(self):
        """Per source offset: how often each of its `map` records (key, partition, value) was written."""
        out = {}
        for _, p, _, key, value, headers in self.scan(["map"])[1]:
            src = headers.get("source", "")
            offset = int(src.rsplit(":", 1)[-1]) if ":" in src else -1
            rec = (key, p, value)
            out.setdefault(offset, {}).setdefault(rec, 0)
            out[offset][rec] += 1
        return out

    def served(self, keys):
        """What the gateway answers for each tile key: bytes, or None for a 404."""
        out = {}
        for k in keys:
            ext = "json" if k.split("/")[2:3] == ["inspect"] else "png"  # interactivity grids (click-to-inspect)
            status, body = http_get(f"http://127.0.0.1:{self.ports['MapGateway']}/tiles/{k}.{ext}")
            out[k] = body if status == 200 else None if status == 404 else f"status {status}"
        return out
