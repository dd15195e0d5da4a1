-- The events the mod registers that the stand-in did not raise before (robot and platform tiles,
-- script_raised_revive/destroy, on_player_flipped_entity, on_player_respawned,
-- on_surface_cleared), raised with their real 2.0.77 payloads (strict.lua checks each), and the
-- packets the mod prints for them; the mod added to an existing save; the prototype packets of
-- the full real prototype set.
local H = require("harness")
local A = require("actions")

-- Tile cells of `tiles` packets applied in order: "surface:x:y" -> tile name.
local function tile_state(lines)
  local state = {}
  for _, p in ipairs(H.packets(lines, "tiles")) do
    local c, names = p.payload.cells, p.payload.names
    for i = 1, #c, 3 do state[p.payload.surface .. ":" .. c[i] .. ":" .. c[i + 1]] = names[c[i + 2] + 1] end
  end
  return state
end

-- unit -> {name, x, y, direction} from `buildings` packets, and unit -> times removed.
local function building_state(lines)
  local built, removed = {}, {}
  for _, p in ipairs(H.packets(lines, "buildings")) do
    local e, names = p.payload.entities, p.payload.names
    for i = 1, #e, 6 do built[e[i]] = { name = names[e[i + 1] + 1], x = e[i + 2], y = e[i + 3], direction = e[i + 4] } end
  end
  for _, p in ipairs(H.packets(lines, "building_removed")) do
    local r = p.payload.removed
    for i = 1, #r, 3 do removed[r[i]] = (removed[r[i]] or 0) + 1 end
  end
  return built, removed
end

local scenarios = {}

-- A started game with a charted lab and a charted platform surface of `ground` tiles.
local function lab_and_platform(ground)
  local rt, first = H.fresh()
  local s = H.lab(rt)
  local platform = rt:create_surface("platform-1", { platform = "Iron Express", empty = ground })
  H.chart(rt, s, 0, 0, 0, 0)
  H.chart(rt, platform, 0, 0, 0, 0)
  H.run(rt, 3)
  return rt, first, s, platform
end

-- Robots build and mine tiles on nauvis-like ground, a platform builds and mines foundation.
function scenarios.tiles()
  local rt, first, s, platform = lab_and_platform("empty-space")
  A.build_tiles(rt, s, "concrete", { { 1, 1 }, { 2, 1 }, { 3, 1 } }, nil, { by = "robot" })
  H.run(rt, 1)
  A.mine_tiles(rt, s, { { 2, 1 } }, "grass-1", nil, { by = "robot" })
  A.build_tiles(rt, platform, "space-platform-foundation", { { 5, 5 }, { 6, 5 } }, nil, { by = "platform" })
  H.run(rt, 1)
  A.mine_tiles(rt, platform, { { 6, 5 } }, "empty-space", nil, { by = "platform" })
  H.run(rt, 3)
  return rt, H.since(rt, first)
end

-- A ghost revived by a script, a belt flipped, a platform-built entity; entities destroyed by a
-- script (raise_destroy) and mined by a platform that were placed without an event after the
-- snapshot (so neither the mod's index nor on_object_destroyed knows them: only the event tells).
function scenarios.entities()
  local rt, first, s, platform = lab_and_platform("space-platform-foundation")
  local revived = A.build(rt, s, "assembling-machine-2", 10.5, 10.5, { by = "revive" })
  local belt = A.build(rt, s, "transport-belt", 3.5, 20.5, { by = "player", direction = 4 })
  local chest = A.build(rt, platform, "iron-chest", 4.5, 4.5, { by = "platform" })
  local furnace = A.build(rt, s, "stone-furnace", 20, 20, { by = "silent" })
  local pole = A.build(rt, platform, "small-electric-pole", 8.5, 8.5, { by = "silent" })
  H.run(rt, 1)
  A.flip(rt, belt, true)
  H.run(rt, 1)
  A.script_destroy(rt, furnace)
  A.platform_mine(rt, pole)
  H.run(rt, 3)
  return rt, H.since(rt, first), { revived = revived, belt = belt, chest = chest, furnace = furnace, pole = pole }
end

-- A player dies and respawns at the spawn point.
function scenarios.respawn()
  local rt, first = H.fresh()
  local p = rt:create_player("Sparkle")
  A.join(rt, p)
  rt:move_player(p, 40.5, 12.5)
  H.run(rt, 20)
  rt:raise("on_player_died", { player_index = p.index })
  H.run(rt, 2)
  local mark = #rt.lines + 1
  p.position, p.physical_position = { x = 0, y = 0 }, { x = 0, y = 0 }
  A.respawn(rt, p)
  H.run(rt, 2)
  return rt, H.since(rt, first), H.since(rt, mark)
end

-- A surface with buildings on two charted chunks is cleared, then charted again.
function scenarios.cleared()
  local rt, first = H.fresh()
  local s = H.lab(rt)
  A.build(rt, s, "stone-furnace", 5, 5, { by = "player" })
  H.chart(rt, s, 0, 0, 1, 0)
  H.run(rt, 5)
  local mark = #rt.lines + 1
  s.clear()
  H.run(rt, 3)
  local cleared = H.since(rt, mark)
  H.chart(rt, s, 0, 0, 0, 0)
  H.run(rt, 3)
  return rt, H.since(rt, first), cleared
end

return {
  scenarios = scenarios,
  { "events: robots and platforms build and mine tiles (tiles packets match the surfaces)", function()
    local rt, lines = scenarios.tiles()
    local state = tile_state(lines)
    local s, platform = rt.surfaces_by_name.lab, rt.surfaces_by_name["platform-1"]
    local want = { { s, 1, 1, "concrete" }, { s, 2, 1, "grass-1" }, { s, 3, 1, "concrete" },
      { platform, 5, 5, "space-platform-foundation" }, { platform, 6, 5, "empty-space" } }
    for _, w in ipairs(want) do
      local key = w[1].name .. ":" .. w[2] .. ":" .. w[3]
      assert(w[1]:tile_name(w[2], w[3]) == w[4], "the stand-in did not set " .. key)
      assert(state[key] == w[4], key .. " is " .. tostring(state[key]) .. " on the map, " .. w[4] .. " in the game")
    end
    local n = 0
    for _ in pairs(state) do n = n + 1 end
    assert(n == #want, "tiles packets name " .. n .. " cells, " .. #want .. " changed")
  end },
  { "events: script_raised_revive and a platform build are upserts, a flip re-sends the direction, script_raised_destroy and a platform mining remove once", function()
    local _, lines, e = scenarios.entities()
    local built, removed = building_state(lines)
    local r = built[e.revived.unit_number]
    assert(r and r.name == "assembling-machine-2" and r.x == 10.5, "revived building not sent")
    assert(built[e.chest.unit_number] and built[e.chest.unit_number].name == "iron-chest", "platform-built chest not sent")
    assert(e.belt.direction == 12 and built[e.belt.unit_number].direction == 12, "flipped belt: direction "
      .. tostring(built[e.belt.unit_number] and built[e.belt.unit_number].direction) .. ", want 12")
    assert(removed[e.furnace.unit_number] == 1, "script_raised_destroy: removed " .. tostring(removed[e.furnace.unit_number]) .. " times")
    assert(removed[e.pole.unit_number] == 1, "platform-mined pole: removed " .. tostring(removed[e.pole.unit_number]) .. " times")
    for _, k in ipairs({ "revived", "belt", "chest" }) do assert(not removed[e[k].unit_number], "the " .. k .. " was removed") end
  end },
  { "events: on_player_respawned sends the player at the spawn point", function()
    local _, _, after = scenarios.respawn()
    local ps = H.packets(after, "player")
    assert(#ps == 1, #ps .. " player packets after the respawn")
    local p = ps[1].payload
    assert(p.name == "Sparkle" and p.x == 0 and p.y == 0 and p.online == true, "player packet " .. H.json.encode(p))
  end },
  { "events: on_surface_cleared deletes every charted chunk of the surface, which is charted anew later", function()
    local rt, lines, cleared = scenarios.cleared()
    local deleted = {}
    for _, p in ipairs(H.packets(cleared, "chunk_deleted")) do
      assert(p.payload.surface == "lab", "chunk_deleted for " .. p.payload.surface)
      for i = 1, #p.payload.chunks, 2 do deleted[p.payload.chunks[i] .. ":" .. p.payload.chunks[i + 1]] = true end
    end
    assert(deleted["0:0"] and deleted["1:0"], "not every chunk deleted: " .. H.json.encode(deleted))
    assert(#H.packets(cleared, "surface") == 1, "the surface is not re-sent")
    local left = 0
    for _, e in ipairs(rt:save().chunks.list) do if e.si == rt.surfaces_by_name.lab.index then left = left + 1 end end
    assert(left == 1, left .. " lab chunks in storage after clear and one re-chart")
    local terrain = H.packets(lines, "chunk_terrain")
    assert(terrain[#terrain].payload.surface == "lab" and terrain[#terrain].payload.cx == 0, "re-charted chunk not sent")
  end },
  { "prototypes: added to an existing save (on_init then on_configuration_changed), each sent once", function()
    local rt = H.game({ no_start = true })
    local s = H.lab(rt)
    H.chart(rt, s, 0, 0, 1, 0)
    rt:add_to_existing_save()
    local lines = H.run(rt, 120)
    local protos = H.packets(lines, "prototypes")
    local expected = #rt.env.require("scripts.prototypes").payloads()
    assert(#protos == expected, #protos .. " prototypes packets, " .. expected .. " make one snapshot")
    local seen = {}
    for _, p in ipairs(protos) do
      for _, list in ipairs({ p.payload.entities or {}, p.payload.tiles or {} }) do
        for _, e in ipairs(list) do
          assert(not seen[e.name], e.name .. " sent twice")
          seen[e.name] = true
        end
      end
    end
    assert(#H.packets(lines, "session_start") == 1, "session_start more than once")
    assert(#H.packets(lines, "chunk_terrain") == 2, "charted chunks not sent once each")
    assert(#H.packets(lines, "surface") == 2, "nauvis and lab not sent once each")
  end },
  { "prototypes: the full real set, every entity with friendly and enemy colours, every line under the limit", function()
    local rt = H.game({ settings = { ["kafkatorio-compress-min-bytes"] = 65536 } })
    local lines = H.run(rt, 30)
    local emitter = rt.env.require("scripts.emitter")
    local util = rt.env.require("scripts.util")
    local protos = H.packets(lines, "prototypes")
    assert(#protos >= 3, "expected the prototypes split over several packets, got " .. #protos)
    local entities, tiles = 0, 0
    for _, p in ipairs(protos) do
      assert(#p.raw <= emitter.MAX_LINE, "prototypes line of " .. #p.raw .. " bytes")
      assert(not p.compressed)
      for _, e in ipairs(p.payload.entities or {}) do
        entities = entities + 1
        assert(#e.friendly_color == 4 and #e.enemy_color == 4, e.name .. " lacks friendly/enemy colours")
        assert(e.type == "resource" or not util.not_building[e.type], e.name .. " of type " .. e.type .. " is no building")
      end
      tiles = tiles + #(p.payload.tiles or {})
    end
    local data_entities = 0
    for _, e in pairs(rt.protos.entity) do
      if e.type == "resource" or (not util.not_building[e.type] and (e.tile_width > 0 or e.tile_height > 0)) then
        data_entities = data_entities + 1
      end
    end
    assert(entities == data_entities and entities > 150, entities .. " entity prototypes sent of " .. data_entities)
    assert(tiles == 150, tiles .. " tile prototypes sent of 150")
    local function r3(x) return math.floor(x / 255 * 1000 + 0.5) / 1000 end
    for _, p in ipairs(protos) do
      for _, e in ipairs(p.payload.entities or {}) do
        if e.name == "transport-belt" then
          assert(H.equal(e.friendly_color, { r3(204), r3(161), r3(71), 1 }), "transport-belt friendly " .. H.json.encode(e.friendly_color))
        end
      end
    end
  end },
}
