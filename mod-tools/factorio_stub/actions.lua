-- What players, robots, biters and other scripts do to a stand-in game, with the events the game
-- raises for each (names and payloads as in the 2.0 API). Shared by the tests and the simulator.
local A = {}

function A.build(rt, surface, name, x, y, opts)
  opts = opts or {}
  local e = surface.create_entity({ name = name, position = { x = x, y = y }, force = opts.force or "player",
    direction = opts.direction or 0 })
  local by = opts.by or "player"
  if by == "player" then
    rt:raise("on_built_entity", { entity = e, player_index = opts.player_index or 1, consumed_items = {} })
  elseif by == "robot" then
    rt:raise("on_robot_built_entity", { entity = e, robot = {}, stack = {} })
  elseif by == "platform" then
    rt:raise("on_space_platform_built_entity", { entity = e, platform = {}, stack = {} })
  elseif by == "script" then
    rt:raise("script_raised_built", { entity = e })
  end -- by == "silent": a script without raise_built
  return e
end

function A.rotate(rt, e, player_index)
  local previous = e.direction
  e.direction = (e.direction + 4) % 16
  rt:raise("on_player_rotated_entity", { entity = e, player_index = player_index or 1, previous_direction = previous })
end

function A.mine(rt, e, player_index)
  rt:raise("on_player_mined_entity", { entity = e, player_index = player_index or 1, buffer = {} })
  e.surface:remove_entity(e)
end

function A.robot_mine(rt, e)
  rt:raise("on_robot_mined_entity", { entity = e, robot = {}, buffer = {} })
  e.surface:remove_entity(e)
end

function A.die(rt, e, cause)
  rt:raise("on_entity_died", { entity = e, cause = cause, loot = {} })
  e.surface:remove_entity(e)
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

function A.build_tiles(rt, surface, name, positions, player_index)
  local old = {}
  for i, p in ipairs(positions) do
    old[i] = { old_tile = rt.protos.tile[surface:tile_name(p[1], p[2])], position = { x = p[1], y = p[2] } }
  end
  surface.set_tiles((function()
    local t = {}
    for i, p in ipairs(positions) do t[i] = { name = name, position = { x = p[1], y = p[2] } } end
    return t
  end)())
  rt:raise("on_player_built_tile", { player_index = player_index or 1, surface_index = surface.index,
    tile = rt.protos.tile[name], tiles = old })
end

function A.mine_tiles(rt, surface, positions, under, player_index)
  local old = {}
  local t = {}
  for i, p in ipairs(positions) do
    old[i] = { old_tile = rt.protos.tile[surface:tile_name(p[1], p[2])], position = { x = p[1], y = p[2] } }
    t[i] = { name = under, position = { x = p[1], y = p[2] } }
  end
  surface.set_tiles(t)
  rt:raise("on_player_mined_tile", { player_index = player_index or 1, surface_index = surface.index, tiles = old })
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

function A.deplete(rt, e)
  e.amount = 0
  rt:raise("on_resource_depleted", { entity = e })
  e.surface:remove_entity(e)
end

return A
