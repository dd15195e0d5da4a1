-- Charted chunks: the set in storage.chunks (an array plus a key -> position index, so walking
-- it never depends on `pairs` order), the snapshot queue, the anti-entropy sweep and the slow
-- resource refresh.
local util = require("scripts.util")
local emitter = require("scripts.emitter")
local terrain = require("scripts.terrain")
local buildings = require("scripts.buildings")
local resources = require("scripts.resources")
local config = require("scripts.config")

local chunks = {}
local PARTS = { "terrain", "resources", "buildings" }

local cfg = config.values -- the runtime-global settings (cached: scripts/config.lua)

function chunks.init_storage()
  storage.chunks = storage.chunks or { list = {}, index = {}, sweep = 1, refresh = 1 }
end

-- Queues the three snapshot parts of a chunk on the lo lane (deduplicated per part).
-- (The chunk's key is made once: the numbers' text is the costly part of the concatenation.)
function chunks.queue(si, cx, cy, skip_empty)
  local key = util.chunk_key(si, cx, cy)
  for i = 1, 3 do
    local part = PARTS[i]
    emitter.enqueue("lo", "c:" .. part .. ":" .. key,
      { kind = "chunk", part = part, si = si, cx = cx, cy = cy, skip_empty = skip_empty })
  end
end

function chunks.known(si, cx, cy)
  return storage.chunks.index[util.chunk_key(si, cx, cy)] ~= nil
end

-- Records a charted chunk; queues its snapshot when new, or when re-charted after the
-- re-chart debounce window.
function chunks.charted(si, cx, cy, tick)
  local c = storage.chunks
  local key = util.chunk_key(si, cx, cy)
  local i = c.index[key]
  if not i then
    c.list[#c.list + 1] = { si = si, cx = cx, cy = cy, sent = tick }
    c.index[key] = #c.list
    chunks.queue(si, cx, cy, true)
  else
    local entry = c.list[i]
    if tick - entry.sent >= cfg["kafkatorio-rechart-ticks"] then
      entry.sent = tick
      chunks.queue(si, cx, cy, false)
    end
  end
end

function chunks.forget(si, cx, cy)
  local c = storage.chunks
  local key = util.chunk_key(si, cx, cy)
  local i = c.index[key]
  if not i then return false end
  local last = #c.list
  local moved = c.list[last]
  c.list[i] = moved
  c.index[util.chunk_key(moved.si, moved.cx, moved.cy)] = i
  c.list[last] = nil
  c.index[key] = nil
  return true
end

-- Every charted chunk of a surface, in list order.
function chunks.of_surface(si)
  local out = {}
  for _, e in ipairs(storage.chunks.list) do
    if e.si == si then out[#out + 1] = e end
  end
  return out
end

-- on_chunk_charted {surface_index, position, area, force}
function chunks.on_charted(event)
  chunks.charted(event.surface_index, event.position.x, event.position.y, event.tick)
end

-- on_chunk_deleted {surface_index, positions}
function chunks.on_deleted(event)
  local gone = {}
  for _, p in ipairs(event.positions) do
    if chunks.forget(event.surface_index, p.x, p.y) then gone[#gone + 1] = p end
  end
  if #gone > 0 then terrain.chunk_deleted(event.surface_index, event.tick, gone) end
end

-- The chunk builder (storage lane with register = true, local lane with register = false).
function chunks.build(item, tick, register)
  local surface = game.get_surface(item.si)
  if not (surface and surface.valid) then return {} end
  if not chunks.known(item.si, item.cx, item.cy) then return {} end
  if item.part == "terrain" then return terrain.parts(item, tick, surface) end
  if item.part == "resources" then return resources.parts(item, tick, surface, register) end
  return buildings.parts(item, tick, surface, register)
end

-- Anti-entropy: one charted chunk every kafkatorio-sweep-ticks (0 = off), round-robin, while the
-- lo lane is nearly idle; and one chunk with resources every kafkatorio-resource-refresh-ticks.
function chunks.on_tick(tick)
  local c = storage.chunks
  local n = #c.list
  if n == 0 then return end
  local every = cfg["kafkatorio-sweep-ticks"]
  if every > 0 and tick % every == 0 and emitter.queue_length("lo") < 16 then
    if c.sweep > n then c.sweep = 1 end
    local e = c.list[c.sweep]
    c.sweep = c.sweep + 1
    e.sent = tick
    chunks.queue(e.si, e.cx, e.cy, false)
  end
  every = cfg["kafkatorio-resource-refresh-ticks"]
  if every > 0 and tick % every == 0 then
    for _ = 1, math.min(n, 64) do
      if c.refresh > n then c.refresh = 1 end
      local e = c.list[c.refresh]
      c.refresh = c.refresh + 1
      if e.res then
        emitter.enqueue("lo", "c:resources:" .. util.chunk_key(e.si, e.cx, e.cy),
          { kind = "chunk", part = "resources", si = e.si, cx = e.cx, cy = e.cy, skip_empty = false })
        break
      end
    end
  end
end

-- on_resource_depleted {entity}
function chunks.on_resource_depleted(event)
  local e = event.entity
  if not (e and e.valid) then return end
  local cx, cy = util.chunk_of(e.position.x, e.position.y)
  if chunks.known(e.surface_index, cx, cy) then
    emitter.enqueue("lo", "c:resources:" .. util.chunk_key(e.surface_index, cx, cy),
      { kind = "chunk", part = "resources", si = e.surface_index, cx = cx, cy = cy, skip_empty = false })
  end
end

-- Local-lane resync step over the charted list (read-only): parts of the chunk at state.i.
function chunks.resync_step(state, tick)
  local list = storage.chunks.list
  state.i = (state.i or 0) + 1
  local e = list[state.i]
  if not e then return nil end
  local parts = {}
  for _, part in ipairs(PARTS) do
    local ps = chunks.build({ part = part, si = e.si, cx = e.cx, cy = e.cy, skip_empty = false }, tick, false)
    for _, p in ipairs(ps) do parts[#parts + 1] = p end
  end
  return parts
end

return chunks
