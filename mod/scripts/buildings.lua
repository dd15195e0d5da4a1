-- Buildings: chunk snapshots (chunk_buildings), built/rotated/cloned upserts (buildings) and
-- removals (building_removed). Removals reach the map three ways: the mined/died/destroy events
-- (entity still valid), and, for everything else, script.register_on_object_destroyed plus the
-- mod's own unit_number -> {surface index, x, y} index in storage.units.
local util = require("scripts.util")
local emitter = require("scripts.emitter")
local areas = require("scripts.areas")

local buildings = {}

local function index(entity, register)
  local unit = entity.unit_number
  local units = storage.units
  local pos = entity.position
  local known = units[unit]
  if register and not known then
    script.register_on_object_destroyed(entity)
  end
  if register then
    units[unit] = { entity.surface_index, pos.x, pos.y }
  end
end
buildings.index = index

local function in_area(p, a)
  return p.x >= a[1] and p.x < a[3] and p.y >= a[2] and p.y < a[4]
end

-- chunk_buildings payload for an area of a chunk (nil when empty and skip_empty).
function buildings.payload(surface, cx, cy, a, register, skip_empty)
  local found = surface.find_entities_filtered({ area = { { a[1], a[2] }, { a[3], a[4] } } })
  local list = {}
  for i = 1, #found do
    local e = found[i]
    if util.is_building(e) and in_area(e.position, a) then list[#list + 1] = e end
  end
  if #list == 0 and skip_empty then return nil end
  table.sort(list, function(p, q) return p.unit_number < q.unit_number end)
  local names, nmap, forces, fmap, ents = {}, {}, {}, {}, {}
  for i, e in ipairs(list) do
    if register then index(e, true) end
    local p = e.position
    local k = (i - 1) * 6
    ents[k + 1] = e.unit_number
    ents[k + 2] = util.palette_index(names, nmap, e.name)
    ents[k + 3] = p.x
    ents[k + 4] = p.y
    ents[k + 5] = e.direction or 0
    ents[k + 6] = util.palette_index(forces, fmap, e.force.name)
  end
  local payload = { surface = surface.name, cx = cx, cy = cy, names = names, forces = forces, entities = ents }
  if not areas.whole(a, cx, cy) then payload.area = a end
  return payload
end

function buildings.parts(item, tick, surface, register)
  local todo = item.areas or { areas.chunk(item.cx, item.cy) }
  return areas.build("chunk_buildings", tick, todo, function(a)
    return buildings.payload(surface, item.cx, item.cy, a, register, item.skip_empty)
  end)
end

-- Events ----------------------------------------------------------------------------------
local LIMIT = 300

local function upsert(entity, tick)
  if not (entity and entity.valid and util.is_building(entity)) then return end
  index(entity, true)
  local b = emitter.batch("buildings", entity.surface_index, tick, LIMIT)
  local p = entity.position
  b.data[#b.data + 1] = { entity.unit_number, entity.name, p.x, p.y, entity.direction or 0, entity.force.name }
  b.count = b.count + 1
  if b.count >= LIMIT then b.full = true end
end

local function removed(si, unit, x, y, tick)
  local b = emitter.batch("removed", si, tick, LIMIT)
  b.data[#b.data + 1] = { unit, x, y }
  b.count = b.count + 1
  if b.count >= LIMIT then b.full = true end
end

-- on_built_entity, on_robot_built_entity, on_space_platform_built_entity, script_raised_built,
-- script_raised_revive
function buildings.on_built(event) upsert(event.entity, event.tick) end
-- on_player_rotated_entity, on_player_flipped_entity
function buildings.on_changed(event) upsert(event.entity, event.tick) end
-- on_entity_cloned
function buildings.on_cloned(event) upsert(event.destination, event.tick) end

-- on_player_mined_entity, on_robot_mined_entity, on_space_platform_mined_entity, on_entity_died,
-- script_raised_destroy: the entity is still valid here.
function buildings.on_removed(event)
  local e = event.entity
  if not (e and e.valid and e.unit_number) then return end
  local unit = e.unit_number
  local entry = storage.units[unit]
  if not entry and not util.is_building(e) then return end
  storage.units[unit] = nil
  local p = e.position
  removed(e.surface_index, unit, p.x, p.y, event.tick)
end

-- on_object_destroyed {registration_number, useful_id, type}: the catch-all.
function buildings.on_object_destroyed(event)
  if event.type ~= defines.target_type.entity then return end
  local unit = event.useful_id
  local entry = unit and storage.units[unit]
  if not entry then return end
  storage.units[unit] = nil
  if game.get_surface(entry[1]) then removed(entry[1], unit, entry[2], entry[3], event.tick) end
end

function buildings.batch_payload(surface_name, batch)
  local names, nmap, forces, fmap, ents = {}, {}, {}, {}, {}
  for i, d in ipairs(batch.data) do
    local k = (i - 1) * 6
    ents[k + 1] = d[1]
    ents[k + 2] = util.palette_index(names, nmap, d[2])
    ents[k + 3] = d[3]; ents[k + 4] = d[4]; ents[k + 5] = d[5]
    ents[k + 6] = util.palette_index(forces, fmap, d[6])
  end
  return { surface = surface_name, names = names, forces = forces, entities = ents }
end

function buildings.removed_payload(surface_name, batch)
  local flat = {}
  for i, d in ipairs(batch.data) do
    local k = (i - 1) * 3
    flat[k + 1] = d[1]; flat[k + 2] = d[2]; flat[k + 3] = d[3]
  end
  return { surface = surface_name, removed = flat }
end

return buildings
