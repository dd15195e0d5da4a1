-- Surfaces and planets: created, deleted, renamed, cleared, and their daytime now and then
-- (setting kafkatorio-daytime-ticks).
local emitter = require("scripts.emitter")
local chunks = require("scripts.chunks")
local terrain = require("scripts.terrain")
local config = require("scripts.config")

local surfaces = {}

local cfg = config.values -- the runtime-global settings (cached: scripts/config.lua)

function surfaces.init_storage()
  storage.surface_names = storage.surface_names or {}
end

function surfaces.payload(s)
  local p = { index = s.index, name = s.name, daytime = s.daytime }
  if s.planet then p.planet = s.planet.name end
  if s.platform then p.platform = s.platform.name end
  return p
end

function surfaces.build(item, tick)
  local s = game.get_surface(item.index)
  if not (s and s.valid) then return {} end
  storage.surface_names[s.index] = s.name
  return { { type = "surface", body = emitter.encode(surfaces.payload(s)) } }
end

function surfaces.queue(index)
  emitter.enqueue("hi", "s:" .. index, { kind = "surface", index = index })
end

function surfaces.sorted()
  local list = {}
  for _, s in pairs(game.surfaces) do list[#list + 1] = s end
  table.sort(list, function(a, b) return a.index < b.index end)
  return list
end

function surfaces.queue_all()
  for _, s in ipairs(surfaces.sorted()) do
    storage.surface_names[s.index] = s.name
    surfaces.queue(s.index)
  end
end

-- on_surface_created {surface_index}
function surfaces.on_created(event)
  local s = game.get_surface(event.surface_index)
  if s then storage.surface_names[s.index] = s.name end
  surfaces.queue(event.surface_index)
end

-- on_pre_surface_deleted {surface_index}: remember the name while the surface still exists.
function surfaces.on_pre_deleted(event)
  local s = game.get_surface(event.surface_index)
  if s then storage.surface_names[s.index] = s.name end
end

local function drop_chunks(si)
  local gone = {}
  for _, e in ipairs(chunks.of_surface(si)) do
    chunks.forget(si, e.cx, e.cy)
    gone[#gone + 1] = { x = e.cx, y = e.cy }
  end
  return gone
end

-- on_surface_deleted {surface_index}
function surfaces.on_deleted(event)
  local si = event.surface_index
  local name = storage.surface_names[si]
  drop_chunks(si)
  storage.surface_names[si] = nil
  if name then emitter.send("hi", "surface", { index = si, name = name, deleted = true }) end
end

-- on_surface_renamed {surface_index, old_name, new_name}: the old name is deleted for the
-- consumers (state is keyed by name) and the surface and its charted chunks are re-sent.
function surfaces.on_renamed(event)
  local si = event.surface_index
  storage.surface_names[si] = event.new_name
  emitter.send("hi", "surface", { index = si, name = event.old_name, deleted = true })
  surfaces.queue(si)
  for _, e in ipairs(chunks.of_surface(si)) do chunks.queue(si, e.cx, e.cy, false) end
end

-- on_surface_cleared {surface_index}: every chunk is gone; they are charted anew later.
function surfaces.on_cleared(event)
  local gone = drop_chunks(event.surface_index)
  if #gone > 0 then terrain.chunk_deleted(event.surface_index, event.tick, gone) end
  surfaces.queue(event.surface_index)
end

function surfaces.on_tick(tick)
  local every = cfg["kafkatorio-daytime-ticks"]
  if every > 0 and tick % every == 0 then
    for _, s in ipairs(surfaces.sorted()) do surfaces.queue(s.index) end
  end
end

return surfaces
