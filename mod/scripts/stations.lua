-- Train stops: built (any build event), renamed (on_entity_renamed), rotated, removed (the removal
-- events, or on_object_destroyed: buildings.index registers every building), and the full sync.
-- storage.stops[unit] = surface index of every stop sent. docs/packets.md "The factory".
local util = require("scripts.util")
local emitter = require("scripts.emitter")

local stations = {}

local LABEL = 1024

function stations.init_storage()
  storage.stops = storage.stops or {}
end

local function is_stop(e) return e and e.valid and e.type == "train-stop" end

function stations.payload(e)
  local p = e.position
  return { unit = e.unit_number, backer_name = util.truncate_utf8(e.backer_name or "", LABEL), x = p.x, y = p.y,
    direction = e.direction or 0, surface = e.surface.name, force = e.force.name }
end

function stations.build(item, tick, register)
  local e = game.get_entity_by_unit_number(item.unit)
  if not is_stop(e) then return {} end
  if register then storage.stops[item.unit] = e.surface_index end
  return { { type = "train_stop", body = emitter.encode(stations.payload(e)) } }
end

function stations.queue(lane, unit)
  emitter.enqueue(lane, "st:" .. unit, { kind = "stop", unit = unit })
end

-- Built, cloned, rotated or renamed: the stop's state, built when drained.
function stations.changed(e)
  if is_stop(e) then stations.queue("hi", e.unit_number) end
end

-- on_entity_renamed {entity, old_name, by_script, player_index?}
function stations.on_renamed(event) stations.changed(event.entity) end

local function removed(unit, si)
  storage.stops[unit] = nil
  local name = storage.surface_names[si]
  local s = game.get_surface(si)
  if s and s.valid then name = s.name end
  if name then emitter.send("hi", "train_stop_removed", { unit = unit, surface = name }) end
end

-- The mined/died/destroy events: the entity is still valid.
function stations.on_removed(event)
  local e = event.entity
  if is_stop(e) and storage.stops[e.unit_number] then removed(e.unit_number, storage.stops[e.unit_number]) end
end

-- on_object_destroyed {useful_id = unit number} for entities.
function stations.on_object_destroyed(event)
  if event.type ~= defines.target_type.entity then return end
  local si = storage.stops[event.useful_id]
  if si then removed(event.useful_id, si) end
end

local function sorted_stops() return util.sort_by(game.train_manager.get_train_stops({}), "unit_number") end

function stations.queue_all(lane)
  for _, e in ipairs(sorted_stops()) do stations.queue(lane, e.unit_number) end
end

function stations.resync_parts(tick)
  local parts = {}
  for _, e in ipairs(sorted_stops()) do
    parts[#parts + 1] = { type = "train_stop", body = emitter.encode(stations.payload(e)) }
  end
  return parts
end

return stations
