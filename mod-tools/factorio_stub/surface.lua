-- LuaSurface and LuaEntity stand-ins: chunks of generated tiles, resources and enemy bases,
-- entities in per-chunk buckets, and the find_/get_/set_/create_ methods a mod uses.
local worldgen = require("worldgen")
local strict = require("strict")

local floor = math.floor
local S = {}
S.__index = S

-- Entity types without a unit_number (not EntityWithOwner).
local NO_UNIT = { resource = true, tree = true, ["simple-entity"] = true, cliff = true, fish = true,
  asteroid = true, plant = true, ["item-entity"] = true, corpse = true }

local function area_of(a)
  local lt, rb = a.left_top or a[1], a.right_bottom or a[2]
  return lt.x or lt[1], lt.y or lt[2], rb.x or rb[1], rb.y or rb[2]
end

local function set_of(v)
  if v == nil then return nil end
  if type(v) ~= "table" then return { [v] = true } end
  local s = {}
  for _, x in ipairs(v) do s[x] = true end
  return s
end

function S.new(rt, index, name, opts)
  local s = strict.object("LuaSurface", setmetatable({ rt = rt, index = index, name = name, valid = true,
    chunks = {}, chunk_list = {}, daytime = opts.daytime or 0.25, seed = rt.seed + index * 1000,
    ore_cache = {}, empty = opts.empty }, S))
  if opts.planet then s.planet = strict.object("LuaPlanet", { name = opts.planet, valid = true }) end
  if opts.platform then s.platform = strict.object("LuaSpacePlatform", { name = opts.platform, valid = true }) end
  -- Methods called with a dot, as on real LuaObjects.
  s.find_tiles_filtered = function(f) return s:_find_tiles(f) end
  s.find_entities_filtered = function(f) return s:_find_entities(f) end
  s.count_entities_filtered = function(f) return #s:_find_entities(f) end
  s.get_tile = function(x, y)
    if type(x) == "table" then x, y = x.x or x[1], x.y or x[2] end
    x, y = floor(x), floor(y)
    return strict.object("LuaTile", { name = s:tile_name(x, y), position = { x = x, y = y }, valid = true })
  end
  s.get_chunks = function()
    local i = 0
    local list = {}
    for _, c in ipairs(s.chunk_list) do list[#list + 1] = c end
    return function()
      i = i + 1
      local c = list[i]
      if not c then return nil end
      return { x = c.cx, y = c.cy, area = { left_top = { x = c.cx * 32, y = c.cy * 32 },
        right_bottom = { x = c.cx * 32 + 32, y = c.cy * 32 + 32 } } }
    end
  end
  s.is_chunk_generated = function(p) return s.chunks[(p.x or p[1]) .. ":" .. (p.y or p[2])] ~= nil end
  s.create_entity = function(spec) return s:_create_entity(spec) end
  s.set_tiles = function(tiles, _, _, _, raise_event) return s:_set_tiles(tiles, raise_event) end
  s.delete_chunk = function(p) return s:_delete_chunk(p.x or p[1], p.y or p[2]) end
  s.clear = function() rt:clear_surface(s) end
  return s
end

function S:in_bounds(cx, cy)
  local n = self.rt.world_chunks
  if n == 0 then return true end
  local h = floor(n / 2)
  return cx >= -h and cx < n - h and cy >= -h and cy < n - h
end

function S:chunk(cx, cy) return self.chunks[cx .. ":" .. cy] end

-- Generates a chunk (tiles, ore, enemy bases) if needed; raises on_chunk_generated.
function S:generate(cx, cy)
  local key = cx .. ":" .. cy
  local c = self.chunks[key]
  if c then return c end
  c = { cx = cx, cy = cy, tiles = {}, entities = {} }
  self.chunks[key] = c
  self.chunk_list[#self.chunk_list + 1] = c
  local x0, y0 = cx * 32, cy * 32
  local seed = self.seed
  if self.empty then
    for i = 1, 1024 do c.tiles[i] = self.empty end
  else
    for ty = 0, 31 do
      for tx = 0, 31 do
        local x, y = x0 + tx, y0 + ty
        local name = worldgen.tile(x, y, seed)
        c.tiles[ty * 32 + tx + 1] = name
        if not worldgen.water[name] then
          local ore, amount = worldgen.resource(x, y, seed, self.ore_cache)
          if ore then self:_create_entity({ name = ore, position = { x = x + 0.5, y = y + 0.5 }, amount = amount }) end
        end
      end
    end
    for _, b in ipairs(worldgen.enemies(cx, cy, seed)) do
      self:_create_entity({ name = b[1], position = { x = b[2], y = b[3] }, force = "enemy" })
    end
  end
  self.rt:raise("on_chunk_generated", { surface = self, position = { x = cx, y = cy },
    area = { left_top = { x = x0, y = y0 }, right_bottom = { x = x0 + 32, y = y0 + 32 } } })
  return c
end

function S:tile_name(x, y)
  local c = self.chunks[floor(x / 32) .. ":" .. floor(y / 32)]
  if not c then return "out-of-map" end
  return c.tiles[(y - floor(y / 32) * 32) * 32 + (x - floor(x / 32) * 32) + 1]
end

function S:_find_tiles(f)
  local x0, y0, x1, y1 = area_of(f.area)
  x0, y0, x1, y1 = floor(x0), floor(y0), math.ceil(x1), math.ceil(y1)
  local names = set_of(f.name)
  local out = {}
  for cy = floor(y0 / 32), floor((y1 - 1) / 32) do
    for cx = floor(x0 / 32), floor((x1 - 1) / 32) do
      local c = self.chunks[cx .. ":" .. cy]
      if c then
        local bx, by = cx * 32, cy * 32
        for ty = math.max(y0, by), math.min(y1, by + 32) - 1 do
          for tx = math.max(x0, bx), math.min(x1, bx + 32) - 1 do
            local name = c.tiles[(ty - by) * 32 + (tx - bx) + 1]
            if not names or names[name] then
              out[#out + 1] = strict.object("LuaTile", { name = name, position = { x = tx, y = ty }, valid = true })
            end
          end
        end
      end
    end
  end
  return out
end

local function box_of(e)
  local b = e.prototype.collision_box
  local p = e.position
  return p.x + b.left_top.x, p.y + b.left_top.y, p.x + b.right_bottom.x, p.y + b.right_bottom.y
end

function S:_find_entities(f)
  local types, names = set_of(f.type), set_of(f.name)
  local force = f.force and (type(f.force) == "table" and f.force.name or f.force)
  local x0, y0, x1, y1
  if f.area then x0, y0, x1, y1 = area_of(f.area)
  elseif f.position then
    local r = f.radius or 0
    local px, py = f.position.x or f.position[1], f.position.y or f.position[2]
    x0, y0, x1, y1 = px - r, py - r, px + r, py + r
  end
  local out = {}
  local function consider(e)
    if types and not types[e.type] then return end
    if names and not names[e.name] then return end
    if force and e.force.name ~= force then return end
    if x0 then
      local l, t, r, b = box_of(e)
      if l == r then l, r = e.position.x, e.position.x end
      if t == b then t, b = e.position.y, e.position.y end
      if not (l < x1 and r > x0 and t < y1 and b > y0) and
          not (e.position.x >= x0 and e.position.x < x1 and e.position.y >= y0 and e.position.y < y1) then return end
    end
    out[#out + 1] = e
  end
  if x0 then
    for cy = floor(y0 / 32) - 1, floor(y1 / 32) + 1 do
      for cx = floor(x0 / 32) - 1, floor(x1 / 32) + 1 do
        local c = self.chunks[cx .. ":" .. cy]
        if c then for _, e in ipairs(c.entities) do consider(e) end end
      end
    end
  else
    for _, c in ipairs(self.chunk_list) do for _, e in ipairs(c.entities) do consider(e) end end
  end
  if f.limit and #out > f.limit then for i = #out, f.limit + 1, -1 do out[i] = nil end end
  return out
end

-- Snaps a centre to the tile grid as the game does for a w x h entity.
local function snap(v, size)
  if size % 2 == 1 then return floor(v) + 0.5 end
  return floor(v + 0.5)
end

function S:_create_entity(spec)
  local rt = self.rt
  local proto = rt.protos.entity[spec.name]
  if not proto then error("create_entity: unknown entity " .. tostring(spec.name), 2) end
  local pos = spec.position
  local x, y = pos.x or pos[1], pos.y or pos[2]
  if proto.tile_width > 0 then x = snap(x, proto.tile_width) end
  if proto.tile_height > 0 then y = snap(y, proto.tile_height) end
  local force = spec.force or "neutral"
  if type(force) == "string" then force = rt.forces_by_name[force] end
  local e = strict.object("LuaEntity", { name = proto.name, type = proto.type, prototype = proto,
    position = { x = x, y = y }, direction = spec.direction or 0, force = force, force_index = force.index,
    surface = self, surface_index = self.index, valid = true, amount = spec.amount, mirroring = false,
    tile_width = proto.tile_width, tile_height = proto.tile_height })
  if not NO_UNIT[proto.type] then e.unit_number = rt:new_unit_number() end
  local c = self:generate(floor(x / 32), floor(y / 32))
  c.entities[#c.entities + 1] = e
  e.slot = #c.entities
  e.chunk = c
  if spec.raise_built then rt:raise("script_raised_built", { entity = e }) end
  return e
end

-- Removes an entity from the world (after any event about it was raised).
function S:remove_entity(e)
  if not e.valid then return end
  local list = e.chunk.entities
  local last = list[#list]
  list[e.slot] = last
  last.slot = e.slot
  list[#list] = nil
  e.valid = false
  self.rt:entity_gone(e)
end

function S:all_entities()
  local out = {}
  for _, c in ipairs(self.chunk_list) do for _, e in ipairs(c.entities) do out[#out + 1] = e end end
  return out
end

-- Would a w x h entity named `name` fit at position (no overlap, no water)?
function S:can_place(name, x, y)
  local proto = self.rt.protos.entity[name]
  local w, h = proto.tile_width, proto.tile_height
  x, y = snap(x, w), snap(y, h)
  local x0, y0 = x - w / 2, y - h / 2
  for ty = floor(y0), floor(y0) + h - 1 do
    for tx = floor(x0), floor(x0) + w - 1 do
      local t = self:tile_name(tx, ty)
      if worldgen.water[t] or t == "out-of-map" then return false end
    end
  end
  for _, e in ipairs(self:_find_entities({ area = { { x0 + 0.01, y0 + 0.01 }, { x0 + w - 0.01, y0 + h - 0.01 } } })) do
    if e.type ~= "resource" then return false end
  end
  return true, x, y
end

function S:_set_tiles(tiles, raise_event)
  local raised = {}
  for _, t in ipairs(tiles) do
    local x, y = floor(t.position.x or t.position[1]), floor(t.position.y or t.position[2])
    local c = self:generate(floor(x / 32), floor(y / 32))
    c.tiles[(y - c.cy * 32) * 32 + (x - c.cx * 32) + 1] = t.name
    raised[#raised + 1] = { name = t.name, position = { x = x, y = y } }
  end
  if raise_event then self.rt:raise("script_raised_set_tiles", { surface_index = self.index, tiles = raised }) end
end

function S:_delete_chunk(cx, cy)
  local key = cx .. ":" .. cy
  local c = self.chunks[key]
  if not c then return end
  local positions = { { x = cx, y = cy } }
  self.rt:raise("on_pre_chunk_deleted", { surface_index = self.index, positions = positions })
  for i = #c.entities, 1, -1 do self:remove_entity(c.entities[i]) end
  self.chunks[key] = nil
  for i, x in ipairs(self.chunk_list) do if x == c then table.remove(self.chunk_list, i) break end end
  for _, f in ipairs(self.rt.forces) do f.charted[self.index .. ":" .. key] = nil end
  self.rt:raise("on_chunk_deleted", { surface_index = self.index, positions = positions })
end

return S
