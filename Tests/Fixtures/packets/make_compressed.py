#!/usr/bin/env python3
"""Prints the compressed (`~`) fixture lines of valid.txt: the JSON payloads below, zlib-wrapped
DEFLATE + standard base64, as Factorio's helpers.encode_string produces. Also one raw-deflate line.
Run: python3 make_compressed.py  (then paste the output into valid.txt)."""
import base64, json, zlib

terrain = {"surface": "nauvis", "cx": -3, "cy": 7, "palette": ["grass-1", "dirt-3", "water", "deepwater"],
           "runs": []}
# 32 rows: grass with a lake whose rows widen, deep water in the middle.
runs = []
for row in range(32):
    lake = max(0, 12 - abs(row - 16))
    deep = max(0, lake - 6)
    left = 32 - 2 * lake - 2
    segs = [(left, 0), (2, 1), (lake - deep, 2) if lake - deep else None, (2 * deep, 3) if deep else None,
            (lake - deep, 2) if lake - deep else None]
    segs = [s for s in segs if s]
    used = sum(c for c, _ in segs)
    segs.append((32 - used, 0))
    for c, i in segs:
        if c <= 0:
            continue
        if runs and runs[-1] == i:
            runs[-2] += c
        else:
            runs += [c, i]
assert sum(runs[0::2]) == 1024
terrain["runs"] = runs

buildings = {"forces": ["player"], "cy": -2, "cx": 5, "surface": "nauvis",
             "names": ["electric-mining-drill", "transport-belt", "small-electric-pole"],
             "entities": [101, 0, 161.5, -62.5, 4, 0, 102, 0, 164.5, -62.5, 4, 0,
                          103, 1, 163.5, -60.5, 8, 0, 104, 1, 163.5, -59.5, 8, 0, 105, 2, 162.5, -58.5, 0, 0]}

def line(t, tick, seq, payload, raw=False):
    data = json.dumps(payload, separators=(",", ":")).encode()
    if raw:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        z = c.compress(data) + c.flush()
    else:
        z = zlib.compress(data, 9)
    return f"KAFKATORIO/1 {t} {tick} {seq} ~{base64.b64encode(z).decode()}"

print(line("chunk_terrain", 1000, 40, terrain))
print(line("chunk_buildings", 1001, 41, buildings))
print(line("chunk_terrain", 1002, 42, dict(terrain, cx=-4), raw=True))
