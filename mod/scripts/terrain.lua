-- Terrain: a chunk's tiles as run-length palette runs (chunk_terrain), tile changes (tiles) and
-- chunk deletion (chunk_deleted).
local util = require("scripts.util")
local emitter = require("scripts.emitter")

local terrain = {}

-- chunk_terrain payload for a chunk of a surface (LuaSurface), or nil if no tiles are known.
-- The hot path of charting (every new chunk, and the anti-entropy sweep): when the surface hands
-- the 1024 tiles over in row order (it does for a whole chunk), one pass run-length encodes them,
-- looking a name up in the palette only where a run starts; otherwise a first pass puts them in
-- row order (in a grid reused between calls: module-local scratch, rewritten every call, never
-- game state) and a second one encodes.
local grid = {}
local OUT = "out-of-map"

local function encode_runs(get, count, palette, map, runs)
  local n, last = 0, nil
  for i = 1, count do
    local name = get(i)
    if name == last then
      runs[n - 1] = runs[n - 1] + 1
    else
      runs[n + 1] = 1; runs[n + 2] = util.palette_index(palette, map, name); n = n + 2
      last = name
    end
  end
end

function terrain.payload(surface, cx, cy)
  local x0, y0 = cx * 32, cy * 32
  local tiles = surface.find_tiles_filtered({ area = { { x0, y0 }, { x0 + 32, y0 + 32 } } })
  local base = 1 - y0 * 32 - x0
  local palette, map, runs = {}, {}, {}
  local ordered = #tiles == 1024
  if ordered then
    -- One pass, checking the order as it goes; falls back to the grid at the first tile out of
    -- place. The current run's length is kept in a local (a tile that continues it costs one
    -- addition) and written when the next run starts; a run's palette index is looked up where
    -- it starts (so the palette keeps first-use order).
    local n, last, len, size = 0, nil, 0, 0
    for i = 1, 1024 do
      local t = tiles[i]
      local p = t.position
      if p.y * 32 + p.x + base ~= i then ordered = false; break end
      local name = t.name
      if name == last then
        len = len + 1
      else
        if n > 0 then runs[n - 1] = len end
        local index = map[name]
        if not index then
          index = size
          size = size + 1
          palette[size] = name
          map[name] = index
        end
        runs[n + 1] = 1; runs[n + 2] = index; n = n + 2
        last, len = name, 1
      end
    end
    if n > 0 then runs[n - 1] = len end
  end
  if not ordered then
    palette, map, runs = {}, {}, {}
    for i = 1, 1024 do grid[i] = OUT end
    for i = 1, #tiles do
      local t = tiles[i]
      local p = t.position
      grid[p.y * 32 + p.x + base] = t.name
    end
    encode_runs(function(i) return grid[i] end, 1024, palette, map, runs)
  end
  return { surface = surface.name, cx = cx, cy = cy, palette = palette, runs = runs }
end

-- Builder part for a chunk item.
function terrain.parts(item, tick, surface)
  return { { type = "chunk_terrain", body = emitter.encode(terrain.payload(surface, item.cx, item.cy)) } }
end

local function add_cells(si, tick, cells)
  -- cells: list of {x, y, name}
  local limit = 1000
  local b = emitter.batch("tiles", si, tick, limit)
  for i = 1, #cells do
    if b.count >= limit then b.full = true; b = emitter.batch("tiles", si, tick, limit) end
    local c = cells[i]
    b.data[#b.data + 1] = c
    b.count = b.count + 1
  end
end

-- on_player_built_tile / on_robot_built_tile / on_space_platform_built_tile
function terrain.on_built_tile(event)
  local name = event.tile.name
  local cells = {}
  for i, t in ipairs(event.tiles) do cells[i] = { t.position.x, t.position.y, name } end
  add_cells(event.surface_index, event.tick, cells)
end

-- on_player_mined_tile / on_robot_mined_tile / on_space_platform_mined_tile: the new tile is not
-- in the event; read it from the surface.
function terrain.on_mined_tile(event)
  local surface = game.get_surface(event.surface_index)
  if not surface then return end
  local cells = {}
  for i, t in ipairs(event.tiles) do
    local p = t.position
    cells[i] = { p.x, p.y, surface.get_tile(p.x, p.y).name }
  end
  add_cells(event.surface_index, event.tick, cells)
end

-- script_raised_set_tiles {surface_index, tiles = {{name, position}}}
function terrain.on_set_tiles(event)
  local cells = {}
  for i, t in ipairs(event.tiles) do cells[i] = { t.position.x or t.position[1], t.position.y or t.position[2], t.name } end
  add_cells(event.surface_index, event.tick, cells)
end

function terrain.tiles_payload(surface_name, batch)
  local names, map, cells = {}, {}, {}
  for i, c in ipairs(batch.data) do
    local k = (i - 1) * 3
    cells[k + 1] = c[1]; cells[k + 2] = c[2]; cells[k + 3] = util.palette_index(names, map, c[3])
  end
  return { surface = surface_name, names = names, cells = cells }
end

function terrain.chunk_deleted(si, tick, positions)
  local limit = 1000
  local b = emitter.batch("chunk_deleted", si, tick, limit)
  for _, p in ipairs(positions) do
    if b.count >= limit then b.full = true; b = emitter.batch("chunk_deleted", si, tick, limit) end
    b.data[#b.data + 1] = { p.x, p.y }
    b.count = b.count + 1
  end
end

function terrain.chunk_deleted_payload(surface_name, batch)
  local chunks = {}
  for i, c in ipairs(batch.data) do chunks[2 * i - 1] = c[1]; chunks[2 * i] = c[2] end
  return { surface = surface_name, chunks = chunks }
end

return terrain
