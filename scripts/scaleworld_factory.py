"""The factory of scripts/scaleworld.py: which buildings stand in a chunk of the factory area.

Each factory chunk gets one block pattern (assembly rows on a belt, smelting columns, a solar
field, an oil block, mining drills over the chunk's ore; on vulcanus foundries and big mining
drills; on a platform its hub, collectors, crushers and thrusters). Buildings are real 2.0
prototypes: their footprints (`w`, `h`) and collision boxes come from the mod's own `prototypes`
packets, so what the renderer draws is what the game would. A building is placed only where its
whole footprint is free land (no water, no other building), checked on an occupancy grid, so no
two footprints overlap; the chunk's corner pole of the assembly block reaches into the chunks
left of and above it (spilled buildings, as in a real base).
"""
import numpy as np

# Directions as the game writes them (defines.direction, 16-way): north, east, south, west.
N, E, S, W = 0, 4, 8, 12


class Chunk:
    """The buildings of one chunk: `put` places a building by its centre (chunk-relative tiles)
    when its footprint is free land; `placed` lists (name, local x, local y, direction)."""

    def __init__(self, protos, water, margin=4):
        self.protos, self.water, self.m = protos, water, margin
        self.busy = np.zeros((32 + 2 * margin, 32 + 2 * margin), dtype=bool)
        self.placed = []

    def put(self, name, x, y, d=N):
        p = self.protos[name]
        w, h = (p["h"], p["w"]) if d in (E, W) else (p["w"], p["h"])
        x0, y0 = int(np.floor(x - w / 2 + 1e-9)), int(np.floor(y - h / 2 + 1e-9))
        m = self.m
        if x0 < -m or y0 < -m or x0 + w > 32 + m or y0 + h > 32 + m:
            return False
        # Water is known inside the chunk only; outside it the margin is kept free by the patterns.
        wx0, wy0, wx1, wy1 = max(0, x0), max(0, y0), min(32, x0 + w), min(32, y0 + h)
        if wx1 > wx0 and wy1 > wy0 and self.water[wy0:wy1, wx0:wx1].any():
            return False
        cell = self.busy[y0 + m:y0 + h + m, x0 + m:x0 + w + m]
        if cell.any():
            return False
        cell[:] = True
        self.placed.append((name, x, y, d))
        return True


def assembly(c, h, ore):
    kinds = ["assembling-machine-2", "assembling-machine-3", "chemical-plant", "electric-furnace", "lab", "beacon"]
    for g in (0, 10, 20):
        a = kinds[(h + g) % len(kinds)]
        b = kinds[(h + g + 1) % len(kinds)]
        for k in range(8):
            c.put(a, 1.5 + 4 * k, g + 1.5)
            c.put("fast-inserter", 1.5 + 4 * k, g + 3.5, S)
            c.put("medium-electric-pole", 3.5 + 4 * k, g + 3.5)
            c.put("fast-inserter", 1.5 + 4 * k, g + 5.5, N)
            c.put(b, 1.5 + 4 * k, g + 7.5)
        for x in range(32):
            c.put("fast-transport-belt", x + 0.5, g + 4.5, E if g != 10 else W)
    for x in range(32):
        c.put("transport-belt", x + 0.5, 29.5, E)
    c.put("big-electric-pole", 0, 31)  # footprint x -1..0, y 30..31: reaches into the neighbours


def smelting(c, h, ore):
    furnace = "steel-furnace" if h % 3 else "stone-furnace"
    for g in range(4):
        x = 8 * g
        for y in range(30):
            c.put("transport-belt", x + 0.5, y + 0.5, S)
            c.put("transport-belt", x + 5.5, y + 0.5, N)
        for k in range(15):
            c.put(furnace, x + 3, 2 * k + 1)
            c.put("inserter", x + 1.5, 2 * k + 0.5, E)
            c.put("inserter", x + 4.5, 2 * k + 0.5, E)
        for j in range(8):
            c.put("medium-electric-pole", x + 6.5, 4 * j + 1.5)


def solar(c, h, ore):
    for j in range(10):
        for i in range(10):
            if (i + 2 * j + h) % 7 == 0:
                c.put("accumulator", 1 + 3 * i, 1 + 3 * j)
            elif (i * 3 + j + h) % 11 == 0:
                c.put("substation", 1 + 3 * i, 1 + 3 * j)
            else:
                c.put("solar-panel", 1.5 + 3 * i, 1.5 + 3 * j)


def oil(c, h, ore):
    for g in (0, 10, 20):
        for i in range(5):
            c.put("oil-refinery", 2.5 + 6 * i, g + 2.5)
        for x in range(32):
            c.put("pipe", x + 0.5, g + 5.5)
        for k in range(8):
            c.put("chemical-plant", 1.5 + 4 * k, g + 7.5)
            c.put("pipe", 3.5 + 4 * k, g + 7.5)


def logistics(c, h, ore):
    c.put("roboport", 16, 16)
    c.put("radar", 5.5, 5.5)
    for j in range(6):
        for i in range(6):
            c.put("steel-chest", 9.5 + 3 * i, 1.5 + 5 * j)
            c.put("fast-inserter", 10.5 + 3 * i, 1.5 + 5 * j, E)
    for x in range(32):
        c.put("stone-wall", x + 0.5, 28.5)
    for k in range(4):
        c.put("gun-turret", 4 + 8 * k, 27)


def mining(c, h, ore, drill="electric-mining-drill", size=3, belt="transport-belt"):
    """Drills in pairs facing a belt, wherever their centre tile has ore."""
    period = 2 * size + 1
    for i in range(32 // period):
        xa, xb = i * period + size / 2, i * period + size + 1 + size / 2
        for j in range(32 // size):
            y = j * size + size / 2
            for x in (xa, xb):
                if ore[int(y), int(x)]:
                    c.put(drill, x, y, E if x == xa else W)
            for dy in range(size):
                if ore[int(y), int(xa)] or ore[int(y), int(xb)]:
                    c.put(belt, i * period + size + 0.5, j * size + dy + 0.5, S)


def foundry(c, h, ore):
    for j in range(3):
        for i in range(5):
            c.put("foundry", 2.5 + 6 * i, 2.5 + 10 * j)
        for x in range(32):
            c.put("turbo-transport-belt", x + 0.5, 10 * j + 5.5, E)
        for k in range(6):
            c.put("electromagnetic-plant", 2 + 5 * k, 10 * j + 8)


def platform(c, h, ore, cx=0, cy=0):
    if (cx, cy) == (0, 0):
        c.put("space-platform-hub", 0, 0)  # at the platform's origin: its footprint spans 4 chunks
    for i in range(6):
        c.put("asteroid-collector", 2.5 + 5 * i, 1.5 if cy < 0 else 30.5)
    for k in range(5):
        c.put("crusher", 3 + 6 * k, 10.5)
        c.put("cargo-bay", 4 + 6 * k, 18)
    if cy >= 0:
        for k in range(5):
            c.put("thruster", 3 + 6 * k, 26.5)


NAUVIS = [(assembly, 5), (smelting, 3), (solar, 2), (oil, 1), (logistics, 1)]
VULCANUS = [(foundry, 4), (solar, 1), (logistics, 1)]
MINING = {"nauvis": ("electric-mining-drill", 3, "transport-belt"), "vulcanus": ("big-mining-drill", 5, "turbo-transport-belt")}


def buildings(protos, kind, cx, cy, h, water, ore):
    """(name, x, y, direction) of every building of chunk (cx, cy) of a factory of `kind`
    (nauvis, vulcanus, platform), absolute tile positions; `h` a hash in 0…2^31 of the chunk,
    `water` and `ore` boolean 32×32 grids (row = y) of the chunk."""
    c = Chunk(protos, water)
    if kind == "platform":
        platform(c, h, ore, cx, cy)
    elif ore.sum() >= 160 and kind in MINING:
        drill, size, belt = MINING[kind]
        mining(c, h, ore, drill, size, belt)
    else:
        table = NAUVIS if kind == "nauvis" else VULCANUS
        r = h % sum(w for _, w in table)
        for fn, w in table:
            if r < w:
                fn(c, h, ore)
                break
            r -= w
    return [(n, cx * 32 + x, cy * 32 + y, d) for n, x, y, d in c.placed]
