-- The mod against the official 2.0.77 runtime API (Tests/Fixtures/runtime-api-2.0.77.json):
-- the strict stand-in errors as the game does (and every other test runs the mod through it),
-- the mod's defines paths and events exist, every entity type is classified, and every event
-- the stand-in raises or the mod registers is raised with its real payload.
local H = require("harness")
local A = require("actions")
local api = require("api")
local strict = require("strict")
local Runtime = require("runtime")
local Sim = require("simworld")

local API = api.get()
local ROOT = Runtime.ROOT

local read = Runtime.read

local function lua_files(dir)
  local out = {}
  for path in io.popen("find '" .. dir .. "' -name '*.lua' | sort"):read("*a"):gmatch("[^\n]+") do out[#out + 1] = path end
  return out
end

local function strip_comments(src)
  return (src:gsub("%-%-%[%[.-%]%]", ""):gsub("%-%-[^\n]*", ""))
end

-- Entity types of 2.0.77 that are buildings on the map (reviewed); util.not_building holds the
-- rest. A type added to the API fails the classification test until it is put in one of them.
local BUILDINGS = {
  "accumulator", "agricultural-tower", "ammo-turret", "arithmetic-combinator", "artillery-turret",
  "assembling-machine", "asteroid-collector", "beacon", "boiler", "burner-generator", "cargo-bay",
  "cargo-landing-pad", "constant-combinator", "container", "curved-rail-a", "curved-rail-b", "decider-combinator",
  "display-panel", "electric-energy-interface", "electric-pole", "electric-turret", "elevated-curved-rail-a",
  "elevated-curved-rail-b", "elevated-half-diagonal-rail", "elevated-straight-rail", "fluid-turret", "furnace",
  "fusion-generator", "fusion-reactor", "gate", "generator", "half-diagonal-rail", "heat-interface", "heat-pipe",
  "infinity-container", "infinity-pipe", "inserter", "lab", "lamp", "land-mine", "lane-splitter",
  "legacy-curved-rail", "legacy-straight-rail", "lightning-attractor", "linked-belt", "linked-container", "loader",
  "loader-1x1", "logistic-container", "market", "mining-drill", "offshore-pump", "pipe", "pipe-to-ground",
  "player-port", "power-switch", "programmable-speaker", "proxy-container", "pump", "radar", "rail-chain-signal",
  "rail-ramp", "rail-signal", "rail-support", "reactor", "roboport", "rocket-silo", "selector-combinator",
  "simple-entity-with-force", "simple-entity-with-owner", "solar-panel", "space-platform-hub", "splitter",
  "storage-tank", "straight-rail", "thruster", "train-stop", "transport-belt", "turret", "underground-belt",
  "unit-spawner", "valve", "wall",
}

-- defines paths used by the mod's files (aliases like `local ev = defines.events` followed).
local function defines_uses()
  local uses = {}
  for _, path in ipairs(lua_files(ROOT .. "/mod")) do
    local src = strip_comments(read(path))
    local aliases = {}
    for name, p in src:gmatch("local%s+([%a_][%w_]*)%s*=%s*defines(%.[%w_%.]+)") do aliases[name] = p end
    for p in src:gmatch("%f[%w_]defines(%.[%w_%.]+)") do uses[#uses + 1] = { path, "defines" .. p } end
    for name, p in pairs(aliases) do
      for rest in src:gmatch("%f[%w_]" .. name .. "(%.[%w_%.]+)") do uses[#uses + 1] = { path, "defines" .. p .. rest } end
    end
  end
  return uses
end

-- A copy of the mod in a temporary directory with `edit(src)` applied to one file.
local function patched_mod(file, edit)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("cp -r '" .. ROOT .. "/mod' '" .. dir .. "'"))
  local path = dir .. "/" .. file
  local src = read(path)
  local new = edit(src)
  assert(new ~= src, "the patch changed nothing")
  local f = assert(io.open(path, "wb"))
  f:write(new)
  f:close()
  return dir
end

return {
  { "api: the mod's view of the stand-in errors as the game does", function()
    local rt = H.game({})
    local game = rt.env.game
    local s = game.get_surface(1)
    H.fails_with("LuaSurface doesn't contain key foo.", function() return s.foo end)
    H.fails_with("LuaSurface doesn't contain key chunks.", function() return s.chunks end) -- the stand-in's own
    H.fails_with("LuaSurface doesn't contain key foo.", function() s.foo = 1 end)
    H.fails_with("LuaSurface::index is read only.", function() s.index = 5 end)
    s.daytime = 0.75 -- read-write in the API
    assert(rt.surfaces[1].daytime == 0.75, "writing LuaSurface.daytime did not reach the stand-in")
    H.fails_with("stand-in: LuaSurface.find_entity is in the 2.0.77 API but the stand-in does not implement it",
      function() return s.find_entity end)
    H.fails_with("LuaGameScript doesn't contain key get_players.", function() return game.get_players end)
    H.fails_with("LuaSurface.find_entities_filtered argument filter: key aera is not in the type",
      function() s.find_entities_filtered({ aera = { { 0, 0 }, { 1, 1 } } }) end)
    H.fails_with("LuaSurface.get_tile argument x: expected int32, got string a", function() s.get_tile("a", 1) end)
    H.fails_with("LuaSurface.create_entity: missing argument name", function() s.create_entity({ position = { 1, 1 } }) end)
    H.fails_with("LuaSurface.create_entity: unknown parameter colour",
      function() s.create_entity({ name = "stone-furnace", position = { 1, 1 }, colour = 1 }) end)
    local raw = rt.surfaces[1].create_entity({ name = "stone-furnace", position = { 5, 5 }, force = "player" })
    local e = rt:to_mod(raw)
    assert(e.name == "stone-furnace" and e.force.name == "player" and e.surface == s, "entity attributes")
    assert(e.position.x == 5 and e.position[1] == nil, "MapPosition reads")
    H.fails_with("MapPosition has no key z", function() return e.position.z end)
    H.fails_with("LuaEntity::name is read only.", function() e.name = "x" end)
    local found = s.find_entities_filtered({ area = { { 4, 4 }, { 6, 6 } }, type = "furnace" })
    assert(#found == 1 and found[1] == e, "find_entities_filtered returns the entity's proxy")
    rt.surfaces[1]:remove_entity(raw)
    assert(e.valid == false and e.object_name == "LuaEntity")
    H.fails_with("LuaEntity API call when LuaEntity was invalid.", function() return e.name end)
    H.fails_with("LuaCustomTable is read only.", function() game.players[1] = 1 end)
    local forces = 0
    for name, f in pairs(game.forces) do forces = forces + 1; assert(f.name == name and f.object_name == "LuaForce") end
    assert(forces == 3 and game.players.nobody == nil)
    H.fails_with("stand-in: LuaRemote.call is in the 2.0.77 API", function() return rt.env.remote.call end)
    assert(rt.env.defines.events.on_tick and rt.env.defines.event_names == nil, "the mod's defines are the API's")
    rt.env.storage.kept = { position = s.get_tile(3, 4).position } -- a concept table is plain data
    assert(rt:save().kept.position.x == 3, "a position in storage did not save")
    rt.env.storage.kept = { surface = s }
    H.fails_with("storage holds a LuaObject (LuaSurface)", function() rt:save() end)
    rt.env.storage.kept = nil
  end },
  { "api: events carry exactly the 2.0.77 fields, each of its type", function()
    local rt = H.game({})
    local s = rt.surfaces[1]
    local e = s.create_entity({ name = "stone-furnace", position = { 5, 5 }, force = "player" })
    local function ev(extra)
      local d = { entity = e, player_index = 1, consumed_items = A.inventory(), name = 6, tick = 0 }
      for k, v in pairs(extra or {}) do d[k] = v end
      return d
    end
    local ok = strict.event("on_built_entity", ev())
    assert(ok.entity.name == "stone-furnace" and ok.tags == nil, "a valid payload")
    H.fails_with("event on_built_entity has no field robot", function() return ok.robot end)
    H.fails_with("with field robot, which the 2.0.77 event does not have", function() strict.event("on_built_entity", ev({ robot = e })) end)
    local missing = ev()
    missing.consumed_items = nil
    H.fails_with("without its field consumed_items", function() strict.event("on_built_entity", missing) end)
    H.fails_with("on_built_entity.consumed_items: expected LuaInventory, got a plain table",
      function() strict.event("on_built_entity", ev({ consumed_items = {} })) end)
    H.fails_with("on_built_entity.entity: expected LuaEntity, got LuaSurface", function() strict.event("on_built_entity", ev({ entity = s })) end)
    H.fails_with("raise: unknown event on_player_teleported", function() rt:raise("on_player_teleported", {}) end)
    H.fails_with("on_player_rotated_entity.previous_direction: 99 is not a value of defines.direction", function()
      rt:raise("on_player_rotated_entity", { entity = e, player_index = 1, previous_direction = 99 })
    end)
    H.fails_with("on_chunk_charted.area: lacks right_bottom", function()
      rt:raise("on_chunk_charted", { surface_index = 1, position = { x = 0, y = 0 }, area = { left_top = { x = 0, y = 0 } },
        force = rt.forces_by_name.player })
    end)
  end },
  { "api: the mod reading a member or an event field the API lacks fails", function()
    local dir = patched_mod("scripts/buildings.lua", function(src)
      return (src:gsub("local function upsert%(entity, tick%)\n", "%0  local _ = entity and entity.valid and entity.bogus\n", 1))
    end)
    local rt = Runtime.new({ mod_dir = dir, out = function() end })
    rt:start()
    local s = rt:create_surface("lab", { empty = "grass-1" })
    H.fails_with("LuaEntity doesn't contain key bogus.", function() A.build(rt, s, "stone-furnace", 5, 5) end)
    dir = patched_mod("scripts/buildings.lua", function(src)
      return (src:gsub("function buildings.on_built%(event%) ", "%0local _ = event.bogus_field; ", 1))
    end)
    rt = Runtime.new({ mod_dir = dir, out = function() end })
    rt:start()
    s = rt:create_surface("lab", { empty = "grass-1" })
    H.fails_with("event on_built_entity has no field bogus_field", function() A.build(rt, s, "stone-furnace", 5, 5) end)
    os.execute("rm -rf '" .. dir .. "'")
  end },
  { "api: every defines path in mod/ and every event it registers exist in 2.0.77", function()
    local uses = defines_uses()
    assert(#uses >= 35, "found only " .. #uses .. " defines uses; the scan is broken")
    local events = 0
    for _, u in ipairs(uses) do
      local v = strict.define(u[2])
      assert(v ~= nil, u[1] .. " uses " .. u[2] .. ", which 2.0.77 does not define")
      if u[2]:match("^defines%.events%.") then
        events = events + 1
        assert(API.events[u[2]:match("[^%.]+$")], u[2] .. " is no event of 2.0.77")
      end
    end
    assert(events >= 30, "found only " .. events .. " event uses")
  end },
  { "api: the strict layer changes nothing the mod prints (busy world, strict and plain objects)", function()
    local out = {}
    for _, mode in ipairs({ true, false }) do
      local sim = Sim.new({ seed = 6, players = 2, build_rate = 480, mine_share = 0.3, world_chunks = 4, strict = mode })
      sim:run(400)
      assert(sim.rt.strict == mode)
      out[#out + 1] = sim.rt.lines
    end
    assert(#out[1] > 100, "too little output: " .. #out[1])
    assert(#out[1] == #out[2], #out[1] .. " lines strict, " .. #out[2] .. " plain")
    for i = 1, #out[1] do assert(out[1][i] == out[2][i], "line " .. i .. " differs:\n  " .. out[1][i]:sub(1, 200) .. "\n  " .. out[2][i]:sub(1, 200)) end
  end },
  { "api: every 2.0.77 entity type is either a building or in util.not_building", function()
    local util = H.game({ no_start = true })
    util:load_mod()
    util = util.env.require("scripts.util")
    local types = {}
    for t in pairs(API.defines.prototypes.entity) do types[t] = true end
    for t in pairs(util.not_building) do assert(types[t], "util.not_building names " .. t .. ", no entity type of 2.0.77") end
    local listed = {}
    for _, t in ipairs(BUILDINGS) do
      assert(types[t], "BUILDINGS names " .. t .. ", no entity type of 2.0.77")
      assert(not util.not_building[t], t .. " is both a building and not")
      listed[t] = true
    end
    for t in pairs(types) do assert(listed[t] or util.not_building[t], "entity type " .. t .. " is not classified") end
    for _, t in ipairs({ "infinity-cargo-wagon", "capture-robot", "locomotive", "cargo-wagon", "construction-robot" }) do
      assert(util.not_building[t], t .. " would be sent as a building")
    end
  end },
  { "api: every event the stand-in raises and the mod registers is raised with its checked payload", function()
    local raised = {}
    for _, path in ipairs(lua_files(ROOT .. "/mod-tools")) do
      -- (this file raises a bogus event on purpose, in the test above)
      local src = path:match("test_api%.lua$") and "" or strip_comments(read(path))
      for name in src:gmatch("raise%(%s*\"([%w_]+)\"") do
        assert(API.events[name], path .. " raises " .. name .. ", no event of 2.0.77")
        raised[name] = path
      end
    end
    local registered = {}
    for _, u in ipairs(defines_uses()) do
      local name = u[2]:match("^defines%.events%.([%w_]+)$")
      if name then registered[name] = true end
    end
    local before = {}
    for k, v in pairs(strict.raised) do before[k] = v end
    -- every scenario of every test file that exports `scenarios` (functions, or tables with run)
    for _, path in ipairs(lua_files(ROOT .. "/mod-tools/tests")) do
      if not path:match("test_api%.lua$") then
        local suite = dofile(path)
        for _, sc in pairs(type(suite) == "table" and suite.scenarios or {}) do
          if type(sc) == "function" then sc() else sc.run() end
        end
      end
    end
    local rt = H.game({})
    local s = H.lab(rt)
    local e = A.build(rt, s, "stone-furnace", 5, 5, { by = "robot" })
    A.robot_mine(rt, e)
    e = A.build(rt, s, "stone-furnace", 5, 5, { by = "silent" })
    A.die(rt, e)
    A.build(rt, s, "stone-furnace", 5, 5, { by = "silent" })
    A.leave(rt, rt:create_player("Twinkle"))
    rt.surfaces[1]:generate(0, 0)
    H.run(rt, 2)
    local function checked(name) return (strict.raised[name] or 0) > (before[name] or 0) end
    for name, path in pairs(raised) do assert(checked(name), name .. " (raised in " .. path .. ") was never raised here") end
    for name in pairs(registered) do
      assert(checked(name), "the mod registers " .. name .. ", which no test raises")
    end
  end },
}
