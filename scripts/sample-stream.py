#!/usr/bin/env python3
"""Sample log stream for `make run`, until the Lua simulated game server (issue 3) replaces it.

Writes what a headless Factorio server's stdout would hold -- engine log lines, [JOIN]/[CHAT]
console lines and KAFKATORIO/1 packet lines (docs/packets.md) -- to a file that LogPipe tails:
first the fixture packet lines (Tests/Fixtures/packets/valid.txt), then a small generated world
(terrain, ore, buildings) with prototypes from the real 2.0 data, then players walking in
circles at 4 Hz, forever (or --seconds N).
"""
import argparse, json, math, os, sys, time, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTOTYPES = os.path.join(ROOT, "..", "shared", "factorio", "prototypes-2.0.json")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "packets", "valid.txt")


class Emitter:
    def __init__(self, out, start):
        self.out, self.seq, self.start = out, 0, start

    def secs(self):
        return time.monotonic() - self.start

    def engine(self, text):
        self.out.write("%8.3f %s\n" % (self.secs(), text))

    def console(self, text):
        self.out.write("%s %s\n" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), text))

    def packet(self, ptype, tick, payload):
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        self.out.write("KAFKATORIO/1 %s %d %d %s\n" % (ptype, tick, self.seq, body))
        self.seq += 1


def noise(x, y, seed):
    def h(ix, iy):
        n = (ix * 374761393 + iy * 668265263 + seed * 2147483647) & 0xFFFFFFFF
        n = ((n ^ (n >> 13)) * 1274126177) & 0xFFFFFFFF
        return (n & 0xFFFF) / 65535.0
    x0, y0 = math.floor(x), math.floor(y)
    fx, fy = x - x0, y - y0
    sx, sy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
    a = h(x0, y0) + (h(x0 + 1, y0) - h(x0, y0)) * sx
    b = h(x0, y0 + 1) + (h(x0 + 1, y0 + 1) - h(x0, y0 + 1)) * sx
    return a + (b - a) * sy


def terrain_at(x, y):
    v = noise(x / 24.0, y / 24.0, 1) * 0.7 + noise(x / 7.0, y / 7.0, 2) * 0.3
    if v < 0.28: return "deepwater"
    if v < 0.34: return "water"
    if v < 0.38: return "sand-1"
    if v < 0.50: return "grass-1"
    if v < 0.60: return "grass-2"
    if v < 0.70: return "dirt-3"
    if v < 0.80: return "red-desert-0"
    return "dirt-5"


def prototypes_packets(proto):
    tiles = [{"name": t["name"], "color": list(t["map_color_255"]) + [255]} for t in proto["tiles"] if t.get("map_color_255")]
    entities = []
    for r in proto["resources"]:
        entities.append({"name": r["name"], "type": "resource", "color": list(r["map_color_255"]), "box": [-0.1, -0.1, 0.1, 0.1], "w": 1, "h": 1})
    for e in proto["entities"]:
        box = e.get("collision_box")
        if not box: continue
        (l, t), (r, b) = box
        ent = {"name": e["name"], "type": e["type"], "box": [l, t, r, b],
               "w": max(1, math.ceil(r - l - 1e-6)), "h": max(1, math.ceil(b - t - 1e-6))}
        guess = e.get("chart_color_guess") or {}
        if e.get("map_color_255"): ent["color"] = e["map_color_255"]
        if e.get("friendly_map_color_255"): ent["friendly_color"] = e["friendly_map_color_255"]
        elif guess.get("friendly_255"): ent["friendly_color"] = guess["friendly_255"]
        if e.get("enemy_map_color_255"): ent["enemy_color"] = e["enemy_map_color_255"]
        elif guess.get("enemy_255"): ent["enemy_color"] = guess["enemy_255"]
        entities.append(ent)
    parts, cur, size = [], {"tiles": [], "entities": []}, 0
    for kind, items in (("tiles", tiles), ("entities", entities)):
        for item in items:
            n = len(json.dumps(item))
            if size + n > 12000:
                parts.append(cur); cur, size = {"tiles": [], "entities": []}, 0
            cur[kind].append(item); size += n
    parts.append(cur)
    return parts


def chunk_terrain(cx, cy):
    palette, runs, last = [], [], None
    for ty in range(32):
        for tx in range(32):
            name = terrain_at(cx * 32 + tx, cy * 32 + ty)
            if name not in palette: palette.append(name)
            i = palette.index(name)
            if runs and last == i: runs[-2] += 1
            else: runs += [1, i]
            last = i
    return {"surface": "nauvis", "cx": cx, "cy": cy, "palette": palette, "runs": runs}


def chunk_resources(cx, cy):
    names, cells = [], []
    for dy in range(32):
        for dx in range(32):
            x, y = cx * 32 + dx, cy * 32 + dy
            if terrain_at(x, y) in ("water", "deepwater"): continue
            for name, ox, oy in (("iron-ore", 40, -30), ("copper-ore", -50, 30), ("coal", 20, 60), ("stone", -40, -60)):
                d = math.hypot(x - ox, y - oy)
                if d < 14 + 4 * noise(x / 5.0, y / 5.0, 7):
                    if name not in names: names.append(name)
                    cells += [dx, dy, names.index(name), int(1500 + 400 * (14 - min(d, 14)))]
                    break
    return {"surface": "nauvis", "cx": cx, "cy": cy, "names": names, "cells": cells} if cells else None


def base_buildings(unit):
    """A small smelting column and assembler row near the origin, on land."""
    names, ents = [], []
    def add(name, x, y, d=0):
        if name not in names: names.append(name)
        ents.extend([unit[0], names.index(name), x, y, d, 0]); unit[0] += 1
    for i in range(6):
        add("stone-furnace", 6.0, 4.0 + 2 * i)
        add("inserter", 7.5, 3.5 + 2 * i, 4)
    for i in range(12):
        add("transport-belt", 8.5, 3.5 + i, 8)
    for i in range(3):
        add("assembling-machine-2", 12.5 + 3 * i, 5.5)
    add("small-electric-pole", 11.5, 3.5)
    return names, ents


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--radius", type=int, default=4, help="chunks around the origin")
    ap.add_argument("--players", type=int, default=3)
    ap.add_argument("--hz", type=float, default=4.0)
    ap.add_argument("--seconds", type=float, default=0, help="stop after N seconds (0 = forever)")
    args = ap.parse_args()
    proto = json.load(open(PROTOTYPES))
    out = open(args.out, "a", buffering=1)
    em = Emitter(out, time.monotonic())
    em.engine("%s; Factorio 2.0.77 (build 83000, linux64, headless, space-age)" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"))
    em.engine("Operating system: Linux")
    em.engine("Info ServerMultiplayerManager.cpp:699: updateTick(0) changing state from(CreatingGame) to(InGame)")
    tick = 0
    em.packet("session_start", tick, {"mod_version": "0.1.0", "game_version": "2.0.77"})
    for part in prototypes_packets(proto):
        em.packet("prototypes", tick, part)
    em.packet("surface", tick, {"index": 1, "name": "nauvis", "planet": "nauvis", "daytime": 0.5})
    if os.path.exists(FIXTURES):
        for line in open(FIXTURES):
            if line.startswith("KAFKATORIO/1 ") and " prototypes " not in line:
                out.write(line if line.endswith("\n") else line + "\n")
    r = args.radius
    for cy in range(-r, r):
        for cx in range(-r, r):
            em.packet("chunk_terrain", tick, chunk_terrain(cx, cy))
            res = chunk_resources(cx, cy)
            if res:
                if len(json.dumps(res)) < 15000:
                    em.packet("chunk_resources", tick, res)
                else:  # keep every line under 16 KB: one packet per half of the chunk (an area each)
                    for half in (0, 1):
                        y0, y1 = cy * 32 + 16 * half, cy * 32 + 16 * half + 16
                        cells = [v for i in range(0, len(res["cells"]), 4) for v in res["cells"][i:i + 4]
                                 if 16 * half <= res["cells"][i + 1] < 16 * half + 16]
                        em.packet("chunk_resources", tick, dict(res, area=[cx * 32, y0, cx * 32 + 32, y1], cells=cells))
            time.sleep(0.005)
    unit = [1000]
    names, ents = base_buildings(unit)
    em.packet("chunk_buildings", tick, {"surface": "nauvis", "cx": 0, "cy": 0, "names": names, "forces": ["player"], "entities": ents})
    people = ["Alice", "Bob", "Chandra", "Dmitri", "Eve", "Farah"][: args.players]
    colors = [[1, 0.5, 0.1, 0.5], [0.2, 0.6, 1, 0.5], [0.9, 0.2, 0.9, 0.5], [0.3, 1, 0.3, 0.5], [1, 1, 0.2, 0.5], [0.6, 0.4, 1, 0.5]]
    for i, name in enumerate(people):
        em.console("[JOIN] %s joined the game" % name)
    t0 = time.monotonic()
    step = 0
    while True:
        step += 1
        tick = int((time.monotonic() - t0) * 60)
        for i, name in enumerate(people):
            a = step / (args.hz * 8.0) + i * 2.1
            rad = 20 + 12 * i
            em.packet("player", tick, {"index": i + 1, "name": name, "surface": "nauvis",
                                       "x": round(rad * math.cos(a), 3), "y": round(rad * math.sin(a), 3),
                                       "color": colors[i % len(colors)], "online": True, "afk": False})
        if step % int(args.hz * 20) == 0:
            em.console("[CHAT] %s: still here at tick %d" % (people[0], tick))
            em.packet("chat", tick, {"player": people[0], "message": "still here at tick %d" % tick})
        if args.seconds and time.monotonic() - t0 > args.seconds:
            break
        time.sleep(1.0 / args.hz)


if __name__ == "__main__":
    main()
