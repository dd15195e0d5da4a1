--[[ The world of a Runtime (runtime.lua): forces with charting, surfaces, entities with unit
numbers and object-destroyed registrations, players. Installed as methods of Runtime. ]]
local defines = require("defines")
local S = require("surface")
local strict = require("strict")

return function(Runtime)
-- Forces ---------------------------------------------------------------------------------
function Runtime:create_force(name)
  local rt = self
  local f = strict.object("LuaForce", { name = name, index = #self.forces + 1, valid = true, charted = {} })
  f.is_chunk_charted = function(surface, pos)
    local s = rt:surface_of(surface)
    local x, y = pos.x or pos[1], pos.y or pos[2]
    return f.charted[s.index .. ":" .. x .. ":" .. y] == true
  end
  f.chart = function(surface, area)
    local s = rt:surface_of(surface)
    local lt, rb = area.left_top or area[1], area.right_bottom or area[2]
    local x0, y0 = math.floor((lt.x or lt[1]) / 32), math.floor((lt.y or lt[2]) / 32)
    local x1, y1 = math.floor(((rb.x or rb[1]) - 0.001) / 32), math.floor(((rb.y or rb[2]) - 0.001) / 32)
    for cy = y0, y1 do
      for cx = x0, x1 do rt:chart_chunk(f, s, cx, cy) end
    end
  end
  self.forces[f.index] = f
  self.forces_by_name[name] = f
  return f
end

function Runtime:chart_chunk(force, surface, cx, cy)
  if not surface:in_bounds(cx, cy) then return end
  surface:generate(cx, cy)
  force.charted[surface.index .. ":" .. cx .. ":" .. cy] = true
  self:raise("on_chunk_charted", { surface_index = surface.index, position = { x = cx, y = cy },
    area = { left_top = { x = cx * 32, y = cy * 32 }, right_bottom = { x = cx * 32 + 32, y = cy * 32 + 32 } },
    force = force })
end

-- Surfaces -------------------------------------------------------------------------------
function Runtime:create_surface(name, opts)
  local s = S.new(self, self.next_surface, name, opts or {})
  self.next_surface = self.next_surface + 1
  self.surfaces[s.index] = s
  self.surfaces_by_name[name] = s
  if self.env then self:raise("on_surface_created", { surface_index = s.index }) end
  return s
end

function Runtime:surface_of(x)
  if type(x) == "table" then return x end
  if type(x) == "number" then return self.surfaces[x] end
  return self.surfaces_by_name[x]
end

-- Every entity of the surface destroyed and no force has charted any of it.
function Runtime:empty_surface(s)
  for _, e in ipairs(s:all_entities()) do s:remove_entity(e) end
  for _, f in ipairs(self.forces) do
    for k in pairs(f.charted) do if k:match("^" .. s.index .. ":") then f.charted[k] = nil end end
  end
end

function Runtime:delete_surface(s)
  self:raise("on_pre_surface_deleted", { surface_index = s.index })
  self:empty_surface(s)
  s.valid = false
  self.surfaces[s.index] = nil
  self.surfaces_by_name[s.name] = nil
  self:raise("on_surface_deleted", { surface_index = s.index })
end

-- LuaSurface.clear: all entities removed and all chunks deleted (no on_chunk_deleted: the game
-- raises on_pre_surface_cleared and on_surface_cleared around it); the surface stays.
function Runtime:clear_surface(s)
  self:raise("on_pre_surface_cleared", { surface_index = s.index })
  self:empty_surface(s)
  s.chunks, s.chunk_list = {}, {}
  self:raise("on_surface_cleared", { surface_index = s.index })
end

function Runtime:rename_surface(s, new_name)
  local old = s.name
  self.surfaces_by_name[old] = nil
  s.name = new_name
  self.surfaces_by_name[new_name] = s
  self:raise("on_surface_renamed", { surface_index = s.index, old_name = old, new_name = new_name })
end

-- Entities -------------------------------------------------------------------------------
function Runtime:new_unit_number()
  local n = self.next_unit
  self.next_unit = n + 1
  return n
end

-- What register_on_object_destroyed accepts, by class: its defines.target_type and the member
-- that is its useful_id (factory.lua adds trains and platforms).
Runtime.TARGETS = { LuaEntity = { type = defines.target_type.entity, id = "unit_number" } }

-- A registration number for an object (the same one each time it is registered), its useful_id
-- (0 when it has none: such a registration is never reported) and its target type.
function Runtime:register_target(obj)
  local target = Runtime.TARGETS[obj.object_name]
  assert(target, "register_on_object_destroyed: stand-in cannot register a " .. tostring(obj.object_name))
  local id = obj[target.id]
  local key = id and target.type .. ":" .. id
  local reg = key and self.registrations[key]
  if not reg then
    reg = self.next_registration
    self.next_registration = reg + 1
    if key then self.registrations[key] = reg end
  end
  return reg, id or 0, target.type
end

-- A registered object destroyed: on_object_destroyed at the end of the tick.
function Runtime:target_gone(kind, id)
  local key = kind .. ":" .. id
  local reg = self.registrations[key]
  if reg then
    self.registrations[key] = nil
    self.destroyed_pending[#self.destroyed_pending + 1] = { registration_number = reg, useful_id = id, type = kind }
  end
end

-- Called by a surface when an entity goes away (destroy, mine, die).
function Runtime:entity_gone(e)
  if e.unit_number then self:target_gone(defines.target_type.entity, e.unit_number) end
end

-- Players --------------------------------------------------------------------------------
function Runtime:create_player(name, color)
  local index = #self.players + 1
  local nauvis = self.surfaces[1]
  local p = strict.object("LuaPlayer", { index = index, name = name, valid = true, connected = false,
    color = color or { r = 1, g = 0.6, b = 0.2, a = 0.5 }, afk_time = 0, force = self.forces_by_name.player,
    surface = nauvis, physical_surface = nauvis, position = { x = 0, y = 0 }, physical_position = { x = 0, y = 0 },
    surface_index = nauvis.index, physical_surface_index = nauvis.index, online_time = 0, admin = false })
  self.players[index] = p
  self.players_by_name[name] = p
  self:raise("on_player_created", { player_index = index })
  return p
end

function Runtime:connected_players()
  local list = {}
  for _, p in ipairs(self.players) do if p.connected then list[#list + 1] = p end end
  return list
end

-- Moves a player; raises on_player_changed_position when the tile changes.
function Runtime:move_player(p, x, y)
  local old = p.physical_position
  local changed = math.floor(old.x) ~= math.floor(x) or math.floor(old.y) ~= math.floor(y)
  x = math.floor(x * 256 + 0.5) / 256 -- MapPosition is fixed point with 8 fractional bits
  y = math.floor(y * 256 + 0.5) / 256
  p.physical_position = { x = x, y = y }
  p.position = p.physical_position
  if p.character then p.character.position = p.physical_position end
  if changed then self:raise("on_player_changed_position", { player_index = p.index }) end
end
end
