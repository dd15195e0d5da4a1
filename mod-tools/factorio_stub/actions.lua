-- What players, robots, biters and other scripts do to a stand-in game, with the events the game
-- raises for each (names and payloads exactly as in the 2.0.77 API: strict.lua checks them).
-- Shared by the tests and the simulator.
local strict = require("strict")

local A = {}

-- The things an event names besides the entity: the robot, the platform, the item stack and
-- inventories, the item and quality used. The mod reads none of them; any use errors.
function A.inventory() return strict.object("LuaInventory", { valid = true }) end
function A.stack() return strict.object("LuaItemStack", { valid = true, valid_for_read = false }) end
function A.item(name) return strict.object("LuaItemPrototype", { name = name, valid = true }) end
function A.quality() return strict.object("LuaQualityPrototype", { name = "normal", valid = true }) end
function A.platform(surface)
  return surface.platform or strict.object("LuaSpacePlatform", { name = surface.name, valid = true })
end
-- A construction robot of the player force on the surface (flying, so not in the chunk buckets).
function A.robot(rt, surface, x, y)
  local force = rt.forces_by_name.player
  return strict.object("LuaEntity", { name = "construction-robot", type = "construction-robot", valid = true,
    position = { x = x or 0, y = y or 0 }, surface = surface, surface_index = surface.index, force = force,
    force_index = force.index, direction = 0, unit_number = rt:new_unit_number() })
end

-- An entity placed (no event yet): A.built raises the event of whoever placed it.
function A.place(surface, name, x, y, opts)
  opts = opts or {}
  return surface.create_entity({ name = name, position = { x = x, y = y }, force = opts.force or "player",
    direction = opts.direction or 0 })
end

-- The build event of an entity placed by opts.by: "player" (default, opts.player_index or 1),
-- "robot", "platform", "script", "revive" or "silent" (a script without raise_built: none).
function A.built(rt, e, opts)
  opts = opts or {}
  local surface, x, y = e.surface, e.position.x, e.position.y
  local by = opts.by or "player"
  if by == "player" then
    rt:raise("on_built_entity", { entity = e, player_index = opts.player_index or 1, consumed_items = A.inventory() })
  elseif by == "robot" then
    rt:raise("on_robot_built_entity", { entity = e, robot = A.robot(rt, surface, x, y), stack = A.stack() })
  elseif by == "platform" then
    rt:raise("on_space_platform_built_entity", { entity = e, platform = A.platform(surface), stack = A.stack() })
  elseif by == "script" then
    rt:raise("script_raised_built", { entity = e })
  elseif by == "revive" then -- a ghost revived by a script with raise_revive
    rt:raise("script_raised_revive", { entity = e })
  end -- by == "silent": a script without raise_built
  return e
end

function A.build(rt, surface, name, x, y, opts)
  return A.built(rt, A.place(surface, name, x, y, opts), opts)
end

function A.rotate(rt, e, player_index)
  local previous = e.direction
  e.direction = (e.direction + 4) % 16
  rt:raise("on_player_rotated_entity", { entity = e, player_index = player_index or 1, previous_direction = previous })
end

function A.mine(rt, e, player_index)
  rt:raise("on_player_mined_entity", { entity = e, player_index = player_index or 1, buffer = A.inventory() })
  e.surface:remove_entity(e)
end

function A.robot_mine(rt, e)
  rt:raise("on_robot_mined_entity", { entity = e, robot = A.robot(rt, e.surface, e.position.x, e.position.y),
    buffer = A.inventory() })
  e.surface:remove_entity(e)
end

function A.platform_mine(rt, e)
  rt:raise("on_space_platform_mined_entity", { entity = e, platform = A.platform(e.surface), buffer = A.inventory() })
  e.surface:remove_entity(e)
end

function A.die(rt, e, cause)
  rt:raise("on_entity_died", { entity = e, cause = cause, loot = A.inventory() })
  e.surface:remove_entity(e)
end

-- A script destroying with raise_destroy: script_raised_destroy while the entity is still valid.
function A.script_destroy(rt, e)
  rt:raise("script_raised_destroy", { entity = e })
  e.surface:remove_entity(e)
end

-- A player flipping an entity (2.0): the direction mirrored along the axis.
function A.flip(rt, e, horizontal, player_index)
  if horizontal then e.direction = (16 - e.direction) % 16 else e.direction = (24 - e.direction) % 16 end
  e.mirroring = not e.mirroring
  rt:raise("on_player_flipped_entity", { entity = e, horizontal = horizontal == true, player_index = player_index or 1 })
end

-- A script destroying without raise_destroy: only on_object_destroyed tells.
function A.destroy_silently(rt, e)
  e.surface:remove_entity(e)
end

function A.clone(rt, e, x, y)
  local d = e.surface.create_entity({ name = e.name, position = { x = x, y = y }, force = e.force, direction = e.direction })
  rt:raise("on_entity_cloned", { source = e, destination = d })
  return d
end

local function old_tiles(rt, surface, positions)
  local old = {}
  for i, p in ipairs(positions) do
    old[i] = { old_tile = rt.protos.tile[surface:tile_name(p[1], p[2])], position = { x = p[1], y = p[2] } }
  end
  return old
end

local function set_all(surface, name, positions)
  local t = {}
  for i, p in ipairs(positions) do t[i] = { name = name, position = { x = p[1], y = p[2] } } end
  surface.set_tiles(t)
end

-- Raises the player's, a robot's or a platform's variant (names[by]) of a tile event, with who did it.
local function raise_tiles(rt, surface, by, names, ev, player_index, positions)
  if by == "player" then ev.player_index = player_index or 1
  elseif by == "robot" then ev.robot = A.robot(rt, surface, positions[1][1], positions[1][2])
  else ev.platform = A.platform(surface) end
  rt:raise(names[by], ev)
end

-- Tiles built by a player (default), a robot (opts.by = "robot") or a space platform ("platform").
function A.build_tiles(rt, surface, name, positions, player_index, opts)
  local by = opts and opts.by or "player"
  local old = old_tiles(rt, surface, positions)
  set_all(surface, name, positions)
  local ev = { surface_index = surface.index, tile = rt.protos.tile[name], tiles = old }
  if by ~= "player" then ev.item, ev.quality, ev.inventory = A.item(name), A.quality(), A.inventory() end
  raise_tiles(rt, surface, by, { player = "on_player_built_tile", robot = "on_robot_built_tile",
    platform = "on_space_platform_built_tile" }, ev, player_index, positions)
end

-- Tiles mined (the tile `under` shows again) by a player, a robot or a space platform (opts.by).
function A.mine_tiles(rt, surface, positions, under, player_index, opts)
  local by = opts and opts.by or "player"
  local old = old_tiles(rt, surface, positions)
  set_all(surface, under, positions)
  raise_tiles(rt, surface, by, { player = "on_player_mined_tile", robot = "on_robot_mined_tile",
    platform = "on_space_platform_mined_tile" }, { surface_index = surface.index, tiles = old }, player_index, positions)
end

function A.join(rt, p)
  p.connected = true
  rt:raise("on_player_joined_game", { player_index = p.index })
end

function A.leave(rt, p, reason)
  rt:raise("on_pre_player_left_game", { player_index = p.index, reason = reason or 0 })
  p.connected = false
  rt:raise("on_player_left_game", { player_index = p.index, reason = reason or 0 })
end

function A.chat(rt, p, message)
  rt:raise("on_console_chat", { player_index = p and p.index or nil, message = message })
end

function A.change_surface(rt, p, surface, x, y)
  local old = p.physical_surface.index
  p.surface, p.physical_surface, p.surface_index, p.physical_surface_index = surface, surface, surface.index, surface.index
  p.position = { x = x, y = y }
  p.physical_position = p.position
  rt:raise("on_player_changed_surface", { player_index = p.index, surface_index = old })
end

-- A dead player respawning (at the surface's spawn, here where the character was).
function A.respawn(rt, p)
  rt:raise("on_player_respawned", { player_index = p.index })
end

function A.deplete(rt, e)
  e.amount = 0
  rt:raise("on_resource_depleted", { entity = e })
  e.surface:remove_entity(e)
end

-- A runtime-global map setting changed, as in the mod settings GUI by a player (player_index) or by
-- a script writing settings.global (nil): the value, then on_runtime_mod_setting_changed.
function A.set_setting(rt, name, value, player_index)
  local current = rt.settings.global[name]
  assert(current, "set_setting: no runtime-global setting " .. tostring(name))
  current.value = value
  rt:raise("on_runtime_mod_setting_changed", { setting = name, setting_type = "runtime-global", player_index = player_index })
end

return A
