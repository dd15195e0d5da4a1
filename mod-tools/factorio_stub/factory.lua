--[[ The stand-in's factory objects: chart tags (LuaCustomChartTag), train stops (train-stop
entities with backer_name), trains (LuaTrain with locomotive/wagon carriages, game.train_manager),
and Space Age platforms (LuaSpacePlatform, space locations and connections), with the API members
the mod uses (all present in runtime-api-2.0.77.json) and the events the game raises for them.
Every object is made by new_object(class, fields), the one place a strict layer can check them.

Factory.install(rt) is called by Runtime:build_api; the actions (what players and the world do)
are the Factory.* functions below, shared by the tests, the simulator and the benchmark.
]]
local defines = require("defines")
local strict = require("strict")
local A = require("actions")

local Factory = {}

-- The one constructor of every object made here.
local function new_object(class, t)
  if t.valid == nil then t.valid = true end
  return strict.object(class, t)
end
Factory.new_object = new_object

-- Trains and platforms are registered objects too: on_object_destroyed {useful_id = id or index}.
local Runtime = require("runtime")
Runtime.TARGETS.LuaTrain = { type = defines.target_type.train, id = "id" }
Runtime.TARGETS.LuaSpacePlatform = { type = defines.target_type.space_platform, id = "index" }

local function position_of(p) return { x = p.x or p[1], y = p.y or p[2] } end

-- Installs the API members on a Runtime (before the mod is loaded).
function Factory.install(rt)
  local f = { tags = {}, next_tag = 1, trains = {}, train_list = {}, next_train = 1, stops = {}, stop_list = {},
    platforms = {}, next_platform = 1 }
  rt.factory = f
  local game = rt.game
  game.train_manager = new_object("LuaTrainManager", {
    get_trains = function(filter)
      local out = {}
      for _, t in ipairs(f.train_list) do
        if t.valid and (not filter.surface or t.front_stock.surface == rt:surface_of(filter.surface)) then
          out[#out + 1] = t
        end
      end
      return out
    end,
    get_train_by_id = function(id)
      local t = f.trains[id]
      if t and t.valid then return t end
      return nil
    end,
    get_train_stops = function(filter)
      local out = {}
      for _, e in ipairs(f.stop_list) do
        if e.valid and (not filter.surface or e.surface == rt:surface_of(filter.surface)) then out[#out + 1] = e end
      end
      return out
    end,
  })
  game.get_entity_by_unit_number = function(unit)
    local e = f.stops[unit]
    if e and e.valid then return e end
    for _, s in pairs(rt.surfaces) do
      for _, x in ipairs(s:all_entities()) do if x.unit_number == unit then return x end end
    end
    return nil
  end
  for _, force in ipairs(rt.forces) do Factory.install_force(rt, force) end
end

function Factory.install_force(rt, force)
  local f = rt.factory
  force.platforms = {}
  force.find_chart_tags = function(surface, area)
    local s = rt:surface_of(surface)
    local out = {}
    for _, t in ipairs(f.tags) do
      if t.valid and t.force == force and t.surface == s then
        local p = t.position
        local inside = true
        if area then
          local lt, rb = position_of(area.left_top or area[1]), position_of(area.right_bottom or area[2])
          inside = p.x >= lt.x and p.x < rb.x and p.y >= lt.y and p.y < rb.y
        end
        if inside then out[#out + 1] = t end
      end
    end
    return out
  end
  force.add_chart_tag = function(surface, spec)
    return Factory.add_tag(rt, force, rt:surface_of(surface), spec, nil)
  end
end

-- Chart tags -------------------------------------------------------------------------------
-- A tag placed by a player (player_index) or a script (nil): on_chart_tag_added.
function Factory.add_tag(rt, force, surface, spec, player_index)
  local f = rt.factory
  local tag = new_object("LuaCustomChartTag", { tag_number = f.next_tag, force = force, surface = surface,
    position = position_of(spec.position), text = spec.text or "", icon = spec.icon,
    last_user = spec.last_user or (player_index and rt.players[player_index]) or nil })
  f.next_tag = f.next_tag + 1
  tag.destroy = function() Factory.remove_tag(rt, tag, nil) end
  f.tags[#f.tags + 1] = tag
  rt:raise("on_chart_tag_added", { tag = tag, force = force, player_index = player_index })
  return tag
end

-- An edit (text, icon, position, surface) by a player or a script: on_chart_tag_modified with the
-- old values; the editor becomes last_user.
function Factory.edit_tag(rt, tag, changes, player_index)
  local old = { old_text = tag.text, old_icon = tag.icon or {}, old_position = tag.position, old_surface = tag.surface,
    old_player_index = tag.last_user and tag.last_user.index or nil }
  if changes.text then tag.text = changes.text end
  if changes.icon then tag.icon = changes.icon end
  if changes.position then tag.position = position_of(changes.position) end
  if changes.surface then tag.surface = changes.surface end
  if player_index then tag.last_user = rt.players[player_index] end
  old.tag, old.force, old.player_index = tag, tag.force, player_index
  rt:raise("on_chart_tag_modified", old)
end

function Factory.remove_tag(rt, tag, player_index)
  if not tag.valid then return end
  rt:raise("on_chart_tag_removed", { tag = tag, force = tag.force, player_index = player_index })
  tag.valid = false
end

-- Train stops ------------------------------------------------------------------------------
-- A train stop with its station name, built by a player (on_built_entity) or opts.by (actions.lua).
function Factory.build_stop(rt, surface, x, y, name, opts)
  local e = A.place(surface, "train-stop", x, y, opts)
  e.backer_name = name
  rt.factory.stops[e.unit_number] = e
  rt.factory.stop_list[#rt.factory.stop_list + 1] = e
  return A.built(rt, e, opts)
end

function Factory.rename(rt, entity, name, player_index)
  local old = entity.backer_name
  entity.backer_name = name
  rt:raise("on_entity_renamed", { entity = entity, old_name = old, by_script = player_index == nil,
    player_index = player_index })
end

-- Trains -----------------------------------------------------------------------------------
local function rebucket(e, x, y)
  local s = e.surface
  local c = s:generate(math.floor(x / 32), math.floor(y / 32))
  if c ~= e.chunk then
    local list = e.chunk.entities
    local last = list[#list]
    list[e.slot] = last
    last.slot = e.slot
    list[#list] = nil
    c.entities[#c.entities + 1] = e
    e.slot, e.chunk = #c.entities, c
  end
  e.position = { x = x, y = y }
end

-- A train from carriages {{name, x, y, orientation}, …} (front first): on_train_created.
function Factory.create_train(rt, surface, carriages, opts)
  opts = opts or {}
  local f = rt.factory
  local train = new_object("LuaTrain", { id = f.next_train, state = defines.train_state.no_schedule, speed = 0,
    manual_mode = opts.manual or false, carriages = {}, has_path = false })
  f.next_train = f.next_train + 1
  for i, c in ipairs(carriages) do
    local e = surface.create_entity({ name = c[1], position = { x = c[2], y = c[3] }, force = opts.force or "player" })
    rebucket(e, c[2], c[3])
    e.orientation = c[4] or 0
    e.train = train
    train.carriages[i] = e
  end
  train.front_stock, train.back_stock = train.carriages[1], train.carriages[#train.carriages]
  f.trains[train.id] = train
  f.train_list[#f.train_list + 1] = train
  rt:raise("on_train_created", { train = train })
  return train
end

-- Changes state / speed / stops / mode; on_train_changed_state when the state changed.
function Factory.set_train(rt, train, changes)
  local old = train.state
  for _, k in ipairs({ "speed", "manual_mode", "has_path" }) do
    if changes[k] ~= nil then train[k] = changes[k] end
  end
  if changes.station ~= nil then train.station = changes.station or nil end
  if changes.path_end_stop ~= nil then train.path_end_stop = changes.path_end_stop or nil end
  if changes.state ~= nil then train.state = changes.state end
  if train.state ~= old then rt:raise("on_train_changed_state", { train = train, old_state = old }) end
end

-- Moves every carriage: positions {{x, y, orientation}, …} front first.
function Factory.move_train(rt, train, positions)
  for i, e in ipairs(train.carriages) do
    local p = positions[i]
    rebucket(e, p[1], p[2])
    e.orientation = p[3]
  end
end

-- Every carriage dies (a train hit mid-route): on_entity_died per carriage, then the train object
-- is gone (on_object_destroyed at the end of the tick for a registered train).
function Factory.destroy_train(rt, train)
  for _, e in ipairs(train.carriages) do A.die(rt, e) end
  train.valid = false
  rt:target_gone(defines.target_type.train, train.id)
end

-- Space platforms (Space Age) ------------------------------------------------------------------
function Factory.enable_space_age(rt)
  rt.script.active_mods["space-age"] = rt.game_version
end

local function location(name)
  return new_object("LuaSpaceLocationPrototype", { name = name, type = name == "space-location" and name or "planet" })
end

-- A platform of force over planet: its surface with a hub at the centre; state waiting_for_starter_pack.
function Factory.create_platform(rt, force, name, planet)
  local f = rt.factory
  local index = f.next_platform
  f.next_platform = index + 1
  local s = rt:create_surface("platform-" .. index, { platform = name, empty = "space-platform-foundation" })
  local p = new_object("LuaSpacePlatform", { name = name, index = index, surface = s, force = force,
    state = defines.space_platform_state.waiting_for_starter_pack, space_location = location(planet), speed = 0,
    paused = false, hidden = false, scheduled_for_deletion = 0 })
  s.platform = p
  p.hub = s.create_entity({ name = "space-platform-hub", position = { 0, 0 }, force = force.name })
  force.platforms[index] = p
  f.platforms[index] = p
  return p
end

local function platform_state(rt, p, state)
  local old = p.state
  p.state = state
  if old ~= state then rt:raise("on_space_platform_changed_state", { platform = p, old_state = old }) end
end

function Factory.set_platform_state(rt, p, state_name) platform_state(rt, p, defines.space_platform_state[state_name]) end

-- Leaves its location towards `to`: travels the connection from → to (distance 0 → 1).
function Factory.depart(rt, p, to, speed)
  local from = p.space_location.name
  p.space_location = nil
  p.space_connection = new_object("LuaSpaceConnectionPrototype", { name = from .. "-" .. to, type = "space-connection",
    from = location(from), to = location(to), length = 15000 })
  p.distance = 0
  p.speed = speed or 0.5
  platform_state(rt, p, defines.space_platform_state.on_the_path)
end

function Factory.fly(rt, p, distance) p.distance = distance end

function Factory.arrive(rt, p)
  local to = p.space_connection.to.name
  p.space_connection, p.distance = nil, nil
  p.space_location = location(to)
  p.speed = 0
  platform_state(rt, p, defines.space_platform_state.waiting_at_station)
end

-- The platform is destroyed with its surface (on_object_destroyed for a registered platform).
function Factory.destroy_platform(rt, p)
  p.valid = false
  p.force.platforms[p.index] = nil
  rt.factory.platforms[p.index] = nil
  rt:target_gone(defines.target_type.space_platform, p.index)
  rt:delete_surface(p.surface)
end

return Factory
