-- Procedural terrain, ore and enemy bases for the stand-in's surfaces: deterministic per seed,
-- generated one chunk at a time, with tile and resource names from the real 2.0 data.
local floor, sqrt = math.floor, math.sqrt

local worldgen = {}

-- a * b mod 2^32, exact in doubles (Lua 5.2 numbers): split into 16-bit halves so no product
-- exceeds 2^53 (a plain product loses its low bits, which striped the terrain).
local function mul32(a, b)
  local alo, ahi = a % 65536, (a - a % 65536) / 65536
  local blo, bhi = b % 65536, (b - b % 65536) / 65536
  return ((ahi * blo + alo * bhi) % 65536 * 65536 + alo * blo) % 4294967296
end

local function hash(ix, iy, seed)
  local n = (mul32(ix % 4294967296, 374761393) + mul32(iy % 4294967296, 668265263)
    + mul32(seed % 4294967296, 1013904223)) % 4294967296
  n = (mul32(n, 1274126177) + 12345) % 4294967296
  n = (n - n % 8192) / 8192 + (n % 8192) * 524288 -- rotate right by 13 bits
  n = (mul32(n, 2246822519) + 3266489917) % 4294967296
  n = (n - n % 65536) / 65536 -- the high half mixes best
  return n / 65535
end
worldgen.hash = hash

local function noise(x, y, seed)
  local x0, y0 = floor(x), floor(y)
  local fx, fy = x - x0, y - y0
  local sx, sy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
  local a = hash(x0, y0, seed) + (hash(x0 + 1, y0, seed) - hash(x0, y0, seed)) * sx
  local b = hash(x0, y0 + 1, seed) + (hash(x0 + 1, y0 + 1, seed) - hash(x0, y0 + 1, seed)) * sx
  return a + (b - a) * sy
end
worldgen.noise = noise

-- Land tiles by band, water below; all are base-game tile names.
local BANDS = {
  { 0.30, "deepwater" }, { 0.36, "water" }, { 0.40, "sand-1" }, { 0.43, "sand-2" }, { 0.52, "grass-1" },
  { 0.58, "grass-2" }, { 0.63, "grass-3" }, { 0.68, "dirt-3" }, { 0.74, "dirt-5" }, { 0.80, "red-desert-0" },
  { 0.86, "red-desert-1" }, { 2.00, "dirt-7" },
}
worldgen.water = { deepwater = true, water = true }

function worldgen.tile(x, y, seed)
  local v = noise(x / 48, y / 48, seed) * 0.6 + noise(x / 13, y / 13, seed + 1) * 0.3 + noise(x / 4, y / 4, seed + 2) * 0.1
  local d2 = x * x + y * y
  if d2 < 4096 then v = v + 0.25 * (1 - d2 / 4096) end -- a dry start area
  for _, band in ipairs(BANDS) do
    if v < band[1] then return band[2] end
  end
  return "dirt-7"
end

local ORES = { "iron-ore", "copper-ore", "coal", "stone", "iron-ore", "copper-ore", "uranium-ore" }
local REGION = 96 -- tiles; at most one ore patch per region

-- Ore patch of the region containing tile (x, y): {name, cx, cy, r, richness} or false.
local function patch(rx, ry, seed, cache)
  local key = rx .. ":" .. ry
  local p = cache[key]
  if p ~= nil then return p end
  p = false
  local h = hash(rx, ry, seed + 7)
  if h < 0.55 or (rx == 0 and ry == 0) then
    local name = ORES[1 + floor(hash(rx, ry, seed + 8) * #ORES) % #ORES]
    if rx == 0 and ry == 0 then name = "iron-ore" end
    p = { name = name, x = rx * REGION + 20 + floor(hash(rx, ry, seed + 9) * (REGION - 40)),
      y = ry * REGION + 20 + floor(hash(rx, ry, seed + 10) * (REGION - 40)),
      r = 9 + hash(rx, ry, seed + 11) * 9, rich = 600 + floor(hash(rx, ry, seed + 12) * 2400) }
    if rx == 0 and ry == 0 then p.x, p.y = 30, -28 end
  end
  cache[key] = p
  return p
end

-- Resource at tile (x, y): name, amount, or nil.
function worldgen.resource(x, y, seed, cache)
  local rx, ry = floor(x / REGION), floor(y / REGION)
  for dy = -1, 1 do
    for dx = -1, 1 do
      local p = patch(rx + dx, ry + dy, seed, cache)
      if p then
        local ddx, ddy = x + 0.5 - p.x, y + 0.5 - p.y
        local d = sqrt(ddx * ddx + ddy * ddy)
        local edge = p.r * (0.8 + 0.4 * noise(x / 6, y / 6, seed + 13))
        if d < edge then
          return p.name, floor(p.rich * (1 + 3 * (1 - d / edge)))
        end
      end
    end
  end
  return nil
end

-- Enemy base in a chunk: list of {name, x, y} centres (far from the start only).
function worldgen.enemies(cx, cy, seed)
  if cx * cx + cy * cy < 100 then return {} end
  if hash(cx, cy, seed + 20) > 0.04 then return {} end
  local x, y = cx * 32 + 16, cy * 32 + 16
  return { { "biter-spawner", x - 4.5, y - 4.5 }, { "spitter-spawner", x + 4.5, y + 3.5 },
    { "small-worm-turret", x + 6, y - 6 }, { "medium-worm-turret", x - 7, y + 6 } }
end

return worldgen
