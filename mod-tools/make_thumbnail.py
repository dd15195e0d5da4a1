#!/usr/bin/env python3
"""Writes mod/thumbnail.png (144x144 RGB, the size the mod portal shows): a little map in the
web map's colours -- grass, water, an iron-ore patch, a belt line and three assemblers."""
import os, struct, zlib, math

W = H = 144
GRASS, DIRT, WATER, DEEP = (55, 53, 11), (133, 92, 53), (51, 83, 95), (38, 64, 73)
IRON, BELT, MACHINE, EDGE = (106, 134, 148), (204, 160, 71), (0, 97, 145), (230, 230, 230)

def pixel(x, y):
    v = math.sin(x / 17.0) + math.cos(y / 13.0) + 0.6 * math.sin((x + y) / 9.0)
    c = GRASS if v > -0.4 else DIRT if v > -1.0 else WATER if v > -1.6 else DEEP
    if (x - 40) ** 2 + (y - 42) ** 2 < 22 ** 2 and (x * 7 + y * 3) % 5: c = IRON
    if 70 <= y <= 74 and 20 <= x <= 128: c = BELT
    if 96 <= x <= 100 and 74 <= y <= 126: c = BELT
    for mx, my in ((84, 84), (108, 84), (108, 108)):
        if mx <= x < mx + 18 and my <= y < my + 18:
            c = EDGE if x in (mx, mx + 17) or y in (my, my + 17) else MACHINE
    if x < 3 or y < 3 or x >= W - 3 or y >= H - 3: c = (20, 20, 20)
    return c

raw = b"".join(b"\x00" + bytes(v for x in range(W) for v in pixel(x, y)) for y in range(H))
def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mod", "thumbnail.png")
with open(out, "wb") as f:
    f.write(png)
print("wrote", os.path.normpath(out), len(png), "bytes")
