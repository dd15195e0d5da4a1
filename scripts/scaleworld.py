#!/usr/bin/env python3
"""A large explored Factorio 2.0 world as a headless server's stdout, streamed (`make bench-scale`).

Writes what the game server prints after the mod charted a world of `--side`×`--side` chunks on
nauvis and smaller ones on further surfaces: engine lines, [JOIN] lines and the mod's packet lines
(docs/packets.md) in the mod's format: `session_start`, its `prototypes` packets taken verbatim
from the mod's own output (Tests/Fixtures/mod/init.txt, which the Lua suite checks against the
real mod), `surface` packets, then per chunk `chunk_terrain`, `chunk_resources` and
`chunk_buildings` as the mod's chunk snapshot prints them (keys sorted as the stand-in's
table_to_json, payloads of 1024 bytes or more zlib+base64 `~` when that is shorter, areas halved
while a line would exceed the mod's split target), ticks advancing by the mod's packets-per-tick
budget, seq consecutive from 0; finally the players.

The world: value-noise elevation and moisture pick real 2.0 tile names per biome (water bodies
where the elevation is low), ore patches with amounts on a grid of regions, a factory square
around the origin of real buildings with their real footprints (scaleworld_factory.py) sized by
`--density` (buildings per explored chunk). Memory stays constant: the world is made one strip
of at most 64 chunks at a time (numpy), nothing of it is kept.

    .tools/venv/bin/python scripts/scaleworld.py --side 300 --out world.log [--surfaces 2]
       [--density 1.2] [--seed 1] [--summary summary.json]
"""
import argparse, base64, json, math, os, sys, time, zlib
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scaleworld_factory as factory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOD_INIT = os.path.join(ROOT, "Tests/Fixtures/mod/init.txt")
TAG = "KAFKATORIO/1 "
SPLIT_TARGET, COMPRESS_MIN, PACKETS_PER_TICK, SEQ_WIDTH = 12000, 1024, 8, 16  # mod/scripts/emitter.lua, settings.lua
STRIP = 64  # chunks per strip
M32 = np.uint64(0xFFFFFFFF)

# Biomes per surface: (elevation below which, [tile per moisture quarter]); the first bands are water.
SURFACES = [
    dict(name="nauvis", planet="nauvis", factory="nauvis", water={"deepwater", "water", "water-shallow"},
         bands=[(0.27, ["deepwater"] * 4), (0.33, ["water"] * 4), (0.35, ["water-shallow"] * 4),
                (0.39, ["sand-3", "sand-2", "sand-1", "sand-1"]), (0.52, ["red-desert-1", "dirt-4", "grass-2", "grass-1"]),
                (0.62, ["red-desert-0", "dirt-3", "grass-3", "grass-2"]), (0.72, ["red-desert-2", "dirt-5", "dirt-2", "grass-4"]),
                (9.0, ["red-desert-3", "dirt-7", "dirt-6", "dirt-1"])],
         ores=["iron-ore", "iron-ore", "copper-ore", "copper-ore", "coal", "stone", "uranium-ore"]),
    dict(name="vulcanus", planet="vulcanus", factory="vulcanus", water={"lava", "lava-hot"},
         bands=[(0.25, ["lava-hot"] * 4), (0.32, ["lava"] * 4),
                (0.40, ["volcanic-cracks-hot", "volcanic-cracks-warm", "volcanic-cracks", "volcanic-folds-warm"]),
                (0.55, ["volcanic-ash-dark", "volcanic-ash-flats", "volcanic-ash-light", "volcanic-soil-light"]),
                (0.68, ["volcanic-folds", "volcanic-folds-flat", "volcanic-smooth-stone", "volcanic-pumice-stones"]),
                (9.0, ["volcanic-jagged-ground", "volcanic-soil-dark", "volcanic-ash-cracks", "volcanic-smooth-stone-warm"])],
         ores=["tungsten-ore", "calcite", "coal", "tungsten-ore"]),
    dict(name="platform-1", platform="Iron Express", factory="platform", water={"empty-space"}, bands=None, ores=[]),
    dict(name="gleba", planet="gleba", factory=None, water={"gleba-deep-lake", "wetland-blue-slime"},
         bands=[(0.30, ["gleba-deep-lake"] * 4), (0.36, ["wetland-blue-slime", "wetland-green-slime", "wetland-pink-tentacle", "wetland-red-tentacle"]),
                (0.55, ["lowland-olive-blubber", "lowland-brown-blubber", "lowland-cream-red", "lowland-red-vein"]),
                (9.0, ["midland-turquoise-bark", "midland-yellow-crust", "midland-cracked-lichen", "highland-dark-rock"])],
         ores=["stone"]),
    dict(name="fulgora", planet="fulgora", factory=None, water={"oil-ocean-deep", "oil-ocean-shallow"},
         bands=[(0.30, ["oil-ocean-deep"] * 4), (0.36, ["oil-ocean-shallow"] * 4),
                (0.55, ["fulgoran-sand", "fulgoran-dust", "fulgoran-dunes", "fulgoran-sand"]),
                (9.0, ["fulgoran-rock", "fulgoran-paving", "fulgoran-dust", "fulgoran-walls"])], ores=["scrap"]),
    dict(name="aquilo", planet="aquilo", factory=None, water={"ammoniacal-ocean", "ammoniacal-ocean-2", "brash-ice"},
         bands=[(0.30, ["ammoniacal-ocean"] * 4), (0.36, ["ammoniacal-ocean-2", "brash-ice", "brash-ice", "ammoniacal-ocean-2"]),
                (0.6, ["ice-smooth", "ice-rough", "snow-flat", "snow-patchy"]), (9.0, ["snow-crests", "snow-lumpy", "ice-rough", "snow-flat"])],
         ores=[]),
]
PLAYERS = ["Sparkle", "Gearhead", "Beltmaster", "Ratio"]


def lattice(ix, iy, seed):
    """Hash of each lattice point (iy rows × ix columns) in [0, 1), float32."""
    h = (iy.astype(np.int64).astype(np.uint64)[:, None] * np.uint64(668265263)
         + ix.astype(np.int64).astype(np.uint64)[None, :] * np.uint64(374761393) + np.uint64(seed * 1013904223)) & M32
    h = ((h ^ (h >> np.uint64(15))) * np.uint64(2246822519)) & M32
    h = ((h ^ (h >> np.uint64(13))) * np.uint64(3266489917)) & M32
    h ^= h >> np.uint64(16)
    return (h.astype(np.float32) / np.float32(4294967296.0))


def noise(xs, ys, scale, seed):
    """Smooth value noise at tile columns xs × rows ys (1-D int arrays), lattice every `scale` tiles."""
    gx, gy = (xs + 0.5) / scale, (ys + 0.5) / scale
    ix, iy = np.floor(gx).astype(np.int64), np.floor(gy).astype(np.int64)
    fx, fy = (gx - ix).astype(np.float32), (gy - iy).astype(np.float32)
    sx, sy = fx * fx * (3 - 2 * fx), (fy * fy * (3 - 2 * fy))[:, None]
    L = lattice(np.arange(ix[0], ix[-1] + 2), np.arange(iy[0], iy[-1] + 2), seed)
    cx, cy = ix - ix[0], iy - iy[0]
    top, bot = L[cy], L[cy + 1]
    a = top[:, cx] + (top[:, cx + 1] - top[:, cx]) * sx
    b = bot[:, cx] + (bot[:, cx + 1] - bot[:, cx]) * sx
    return a + (b - a) * sy


def fbm(xs, ys, octaves, seed):
    v = sum(w * noise(xs, ys, s, seed + k) for k, (s, w) in enumerate(octaves))
    return np.clip((v / sum(w for _, w in octaves) - 0.5) * 1.7 + 0.5, 0, 1)


def encode(payload):
    """The mod's emitter.encode: table_to_json, `~` + base64(zlib) when at least 1024 bytes and shorter."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(text) >= COMPRESS_MIN:
        packed = base64.b64encode(zlib.compress(text.encode())).decode()
        if len(packed) + 1 < len(text):
            return "~" + packed
    return text


def halve(a):
    """areas.halve: along the longer side."""
    w, h = a[2] - a[0], a[3] - a[1]
    if w >= h:
        mid = a[0] + w // 2
        return [a[0], a[1], mid, a[3]], [mid, a[1], a[2], a[3]]
    mid = a[1] + h // 2
    return [a[0], a[1], a[2], mid], [a[0], mid, a[2], a[3]]


class Writer:
    """Prints lines as the game server's stdout; counts them."""

    def __init__(self, out):
        self.out, self.seq, self.lines, self.bytes, self.types = out, 0, 0, 0, {}
        self.clock = 1.2

    def write(self, line):
        self.out.write(line + "\n")
        self.lines += 1
        self.bytes += len(line) + 1

    @property
    def tick(self):
        return 60 + self.seq // PACKETS_PER_TICK

    def cost(self, ptype, body):
        return len(TAG) + len(ptype) + 1 + len(str(self.tick)) + 1 + SEQ_WIDTH + 1 + len(body) + 1

    def packet(self, ptype, body):
        self.write(f"{TAG}{ptype} {self.tick} {self.seq} {body}")
        self.seq += 1
        self.types[ptype] = self.types.get(ptype, 0) + 1

    def engine(self, text):
        self.write(f"{self.clock:8.3f} {text}")

    def parts(self, ptype, area, payload_fn):
        """areas.build: one packet per area, halving any whose line would exceed the split target."""
        stack = [area]
        while stack:
            a = stack.pop()
            payload = payload_fn(a)
            if payload is None:
                continue
            body = encode(payload)
            if self.cost(ptype, body) > SPLIT_TARGET and (a[2] - a[0] > 1 or a[3] - a[1] > 1):
                left, right = halve(a)
                stack += [right, left]
            else:
                self.packet(ptype, body)


def mod_prototypes():
    """The mod's `prototypes` packet bodies (its own output) and the entity prototypes they carry."""
    bodies, entities = [], {}
    for line in open(MOD_INIT):
        parts = line.rstrip("\n").split(" ", 4)
        if len(parts) == 5 and parts[1] == "prototypes":
            bodies.append(parts[4])
            raw = zlib.decompress(base64.b64decode(parts[4][1:])) if parts[4][0] == "~" else parts[4]
            for e in json.loads(raw).get("entities", []):
                entities[e["name"]] = e
    if not bodies:
        sys.exit(f"scaleworld: no prototypes packets in {MOD_INIT}")
    return bodies, entities


def extent(side):
    """Chunk coordinates of a side: -side//2 … side - side//2 - 1 (the origin near the middle)."""
    return -(side // 2), side - side // 2


def patches(spec, rx0, rx1, ry0, ry1, seed, region=128):
    """Ore patches (name, x, y, radius, richness) of regions rx0…rx1 × ry0…ry1."""
    out = []
    if not spec["ores"]:
        return out
    rx, ry = np.arange(rx0, rx1 + 1), np.arange(ry0, ry1 + 1)
    h = [lattice(rx, ry, seed + 100 + k) for k in range(6)]
    for j in range(len(ry)):
        for i in range(len(rx)):
            if h[0][j, i] < 0.6:
                ores = spec["ores"]
                name = ores[int(h[1][j, i] * len(ores)) % len(ores)]
                x = (rx[i] * region + 24 + h[2][j, i] * (region - 48))
                y = (ry[j] * region + 24 + h[3][j, i] * (region - 48))
                out.append((name, float(x), float(y), 10 + 18 * float(h[4][j, i]), 300 + int(2700 * h[5][j, i])))
    return out


def strip(spec, cy, cx0, cx1, seed, tile_ids, names, ore_ids):
    """Tile ids (32 × 32·n), water mask, ore ids (-1 none) and amounts of chunks cx0…cx1-1 of row cy."""
    xs, ys = np.arange(cx0 * 32, cx1 * 32), np.arange(cy * 32, cy * 32 + 32)
    if spec["bands"] is None:  # a platform: foundation around its origin, empty space beyond
        inside = (np.abs(ys + 0.5)[:, None] < 48) & (np.abs(xs + 0.5)[None, :] < 40)
        tid = np.where(inside, tile_ids["space-platform-foundation"], tile_ids["empty-space"]).astype(np.int16)
    else:
        e = fbm(xs, ys, [(160, 0.5), (48, 0.3), (12, 0.14), (4, 0.06)], seed)
        m = fbm(xs, ys, [(220, 0.7), (40, 0.3)], seed + 50)
        d2 = (xs.astype(np.float32)[None, :] ** 2 + ys.astype(np.float32)[:, None] ** 2)
        e = e + np.where(d2 < 160 ** 2, 0.12 * (1 - d2 / 160 ** 2), 0)  # a dry start area
        bands = spec["bands"]
        lut = np.array([[tile_ids[t] for t in tiles] for _, tiles in bands], dtype=np.int16)
        b = np.searchsorted(np.array([t for t, _ in bands[:-1]], dtype=np.float32), e, side="right")
        q = np.minimum(3, (m * 4).astype(np.int64))
        tid = lut[b, q]
    water = np.isin(tid, [tile_ids[t] for t in spec["water"]])
    ore = np.full(tid.shape, -1, dtype=np.int16)
    amount = np.zeros(tid.shape, dtype=np.int32)
    region = 128
    edge_noise = None
    for name, px, py, r, rich in patches(spec, (cx0 * 32) // region - 1, (cx1 * 32) // region + 1,
                                         (cy * 32) // region - 1, (cy * 32 + 32) // region + 1, seed):
        x0, x1 = max(int(px - 1.3 * r), cx0 * 32), min(int(px + 1.3 * r) + 1, cx1 * 32)
        y0, y1 = max(int(py - 1.3 * r), cy * 32), min(int(py + 1.3 * r) + 1, cy * 32 + 32)
        if x0 >= x1 or y0 >= y1:
            continue
        if edge_noise is None:
            edge_noise = noise(xs, ys, 6, seed + 13)
        sl = (slice(y0 - cy * 32, y1 - cy * 32), slice(x0 - cx0 * 32, x1 - cx0 * 32))
        dx = np.arange(x0, x1, dtype=np.float32)[None, :] + 0.5 - px
        dy = np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5 - py
        d = np.sqrt(dx * dx + dy * dy)
        edge = r * (0.75 + 0.5 * edge_noise[sl])
        hit = (d < edge) & ~water[sl]
        ore[sl][hit] = ore_ids.setdefault(name, len(ore_ids))
        amount[sl][hit] = (rich * (1 + 3 * (1 - d / edge)))[hit].astype(np.int32)
    return tid, water, ore, amount


def palette(values):
    """Indices of `values` into a palette in order of first use (util.palette_index), and the palette."""
    uniq, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse], uniq[order]


class World:
    """Streams the world to a Writer; keeps only counters and a small sample of buildings."""

    def __init__(self, a, w):
        self.a, self.w = a, w
        self.bodies, self.protos = mod_prototypes()
        self.unit = 1000
        self.stats = dict(chunks=0, buildings=0, resource_tiles=0, water_tiles=0, surfaces={})
        self.sample, self.sample_every = [], 997

    def surfaces(self):
        """(spec, side) of each surface: nauvis `side`, planets `side`/3, platforms 4 chunks."""
        out = []
        for i, spec in enumerate(SURFACES[:self.a.surfaces]):
            side = self.a.side if i == 0 else 4 if spec["bands"] is None else max(4, self.a.side // 3)
            out.append((spec, side))
        return out

    def factory_half(self, spec, side):
        """Half the side, in chunks, of the factory square around the origin."""
        if not spec["factory"]:
            return -1
        if spec["factory"] == "platform":
            return side
        chunks = self.a.density * side * side / 200.0  # a factory chunk holds ~200 buildings
        return min(side, max(2, int(math.ceil(math.sqrt(chunks))))) / 2

    def chunk(self, spec, cx, cy, tid, water, ore, amount, names, ore_names, fhalf, h):
        w, name = self.w, spec["name"]
        pal_idx, pal = palette(tid.ravel())
        change = np.flatnonzero(pal_idx[1:] != pal_idx[:-1]) + 1
        starts = np.concatenate(([0], change))
        counts = np.diff(np.concatenate((starts, [1024])))
        runs = np.stack((counts, pal_idx[starts]), axis=1).ravel().tolist()
        w.packet("chunk_terrain", encode(dict(surface=name, cx=cx, cy=cy, palette=[names[i] for i in pal], runs=runs)))
        self.stats["water_tiles"] += int(water.sum())
        has_ore = ore >= 0
        n_ore = int(has_ore.sum())
        if n_ore:
            self.stats["resource_tiles"] += n_ore

            def resources(a):
                ys, xs = np.nonzero(has_ore[a[1] - cy * 32:a[3] - cy * 32, a[0] - cx * 32:a[2] - cx * 32])
                if len(ys) == 0:
                    return None
                ys, xs = ys + a[1] - cy * 32, xs + a[0] - cx * 32
                idx, used = palette(ore[ys, xs])
                cells = np.stack((xs, ys, idx, amount[ys, xs]), axis=1).ravel().tolist()
                p = dict(surface=name, cx=cx, cy=cy, names=[ore_names[i] for i in used], cells=cells)
                if a != [cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32]:
                    p["area"] = a
                return p
            w.parts("chunk_resources", [cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32], resources)
        if max(abs(cx + 0.5), abs(cy + 0.5)) < fhalf:
            placed = factory.buildings(self.protos, spec["factory"], cx, cy, h, water, has_ore)
            if placed:
                units = list(range(self.unit, self.unit + len(placed)))
                self.unit += len(placed)
                self.stats["buildings"] += len(placed)
                for u, (n, x, y, d) in zip(units, placed):
                    if u % self.sample_every == 0:
                        self.sample.append(dict(unit=u, name=n, x=x, y=y, surface=name))

                def buildings(a):
                    names_, nmap, ents = [], {}, []
                    for u, (n, x, y, d) in zip(units, placed):
                        if a[0] <= x < a[2] and a[1] <= y < a[3]:
                            ents += [u, nmap.setdefault(n, len(nmap)), x, y, d, 0]
                    if not ents:
                        return None
                    p = dict(surface=name, cx=cx, cy=cy, names=list(nmap), forces=["player"], entities=ents)
                    if a != [cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32]:
                        p["area"] = a
                    return p
                w.parts("chunk_buildings", [cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32], buildings)
        self.stats["chunks"] += 1

    def surface_chunks(self, spec, side):
        tiles = sorted({t for _, ts in (spec["bands"] or [(0, ["space-platform-foundation", "empty-space"])]) for t in ts})
        tile_ids = {t: i for i, t in enumerate(tiles)}
        ore_ids = {}
        lo, hi = extent(side)
        fhalf = self.factory_half(spec, side)
        seed = self.a.seed * 1000 + SURFACES.index(spec) * 77
        for cy in range(lo, hi):
            for sx in range(lo, hi, STRIP):
                ex = min(hi, sx + STRIP)
                tid, water, ore, amount = strip(spec, cy, sx, ex, seed, tile_ids, tiles, ore_ids)
                ore_names = {i: n for n, i in ore_ids.items()}
                hashes = lattice(np.arange(sx, ex), np.array([cy]), seed + 7)[0]
                for k, cx in enumerate(range(sx, ex)):
                    sl = slice(32 * k, 32 * k + 32)
                    self.chunk(spec, cx, cy, tid[:, sl], water[:, sl], ore[:, sl], amount[:, sl], tiles, ore_names, fhalf,
                               int(hashes[k] * 2 ** 31))
        self.stats["surfaces"][spec["name"]] = dict(side=side, chunks=side * side)

    def run(self):
        w, t0 = self.w, time.time()
        w.engine("Info ServerMultiplayerManager.cpp:699: updateTick(0) changing state from(CreatingGame) to(InGame)")
        w.packet("session_start", encode(dict(game_version="2.0.77", mod_version="0.1.0")))
        for body in self.bodies:
            w.packet("prototypes", body)
        for i, (spec, side) in enumerate(self.surfaces()):
            p = dict(index=i + 1, name=spec["name"])
            p.update({k: spec[k] for k in ("planet", "platform") if k in spec})
            if i == 0:
                p["daytime"] = 0.25
            w.packet("surface", encode(p))
        for spec, side in self.surfaces():
            self.surface_chunks(spec, side)
        for i, n in enumerate(PLAYERS[:self.a.players]):
            w.write(time.strftime("%Y-%m-%d %H:%M:%S") + f" [JOIN] {n} joined the game")
            w.packet("player", encode(dict(index=i + 1, name=n, surface="nauvis", x=4.5 * i + 0.5, y=-3.5, online=True,
                                           afk=False, color=[0.869, 0.5, 0.13, 0.5])))
        seconds = time.time() - t0
        return dict(self.stats, lines=w.lines, bytes=w.bytes, packets=w.types, seconds=round(seconds, 2),
                    lines_per_second=round(w.lines / max(seconds, 1e-9)), next_unit=self.unit, next_seq=w.seq, tick=w.tick,
                    sample=self.sample, factory_half={s['name']: self.factory_half(s, n) for s, n in self.surfaces()},
                    settings=dict(side=self.a.side, surfaces=self.a.surfaces, density=self.a.density, seed=self.a.seed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--side", type=int, default=int(os.environ.get("SIDE", 300)), help="nauvis chunks per side (SIDE, 300)")
    ap.add_argument("--surfaces", type=int, default=int(os.environ.get("SURFACES", 2)),
                    help=f"surfaces, 2…{len(SURFACES)}: nauvis, vulcanus (side/3), a platform, gleba, fulgora, aquilo (SURFACES, 2)")
    ap.add_argument("--density", type=float, default=float(os.environ.get("DENSITY", 1.2)),
                    help="buildings per explored chunk of a planet with a factory (DENSITY, 1.2)")
    ap.add_argument("--players", type=int, default=4)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 1)))
    ap.add_argument("--out", default="-", help="the output file (appended to; - = stdout)")
    ap.add_argument("--summary", help="write counts, timing and a sample of buildings as JSON here")
    a = ap.parse_args()
    if a.side < 2 or not 2 <= a.surfaces <= len(SURFACES) or a.density < 0 or not 0 <= a.players <= len(PLAYERS):
        ap.error(f"need --side >= 2, 2 <= --surfaces <= {len(SURFACES)}, --density >= 0, 0 <= --players <= {len(PLAYERS)}")
    out = sys.stdout if a.out == "-" else open(a.out, "a", buffering=1 << 20)
    summary = World(a, Writer(out)).run()
    out.flush()
    if out is not sys.stdout:
        out.close()
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(summary, f, indent=1)
    print(f"scaleworld: {summary['chunks']} chunks, {summary['buildings']} buildings, {summary['resource_tiles']} ore tiles, "
          f"{summary['lines']} lines ({summary['bytes'] / 1e6:.1f} MB) in {summary['seconds']} s = "
          f"{summary['lines_per_second']} lines/s", file=sys.stderr)


if __name__ == "__main__":
    main()
