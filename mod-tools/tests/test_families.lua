-- Each event family against its fixture: Tests/Fixtures/mod/<family>.txt holds exactly the packet
-- lines the scenario must print (envelope equal, payload equal as JSON; `~` payloads inflated).
-- The Swift suite (SharedTests/ModFixtureTests) decodes and validates the same files.
local H = require("harness")
local A = require("actions")
local Runtime = require("runtime")

local FIXTURES = Runtime.ROOT .. "/Tests/Fixtures/mod/"

local lab, chart, fresh, since = H.lab, H.chart, H.fresh, H.since

local scenarios = {}

scenarios.init = { about = "a new game: session_start, prototypes (real 2.0 data), the nauvis surface", run = function()
  local rt = H.game({})
  H.run(rt, 3)
  return rt.lines
end }

scenarios.terrain = { about = "charting two chunks (compressed terrain), built/mined/script tiles, chunk deletion", run = function()
  local rt, first = fresh({ ["kafkatorio-compress-min-bytes"] = 64 })
  local s = lab(rt)
  s:generate(0, 0); s:generate(1, 0)
  for y = 0, 31 do
    for x = 0, 31 do
      if x + y >= 20 and x + y < 26 then s.set_tiles({ { name = "water", position = { x, y } } })
      elseif x > y + 10 then s.set_tiles({ { name = "sand-1", position = { x, y } } }) end
    end
  end
  chart(rt, s, 0, 0, 1, 0)
  H.run(rt, 2)
  A.build_tiles(rt, s, "concrete", { { 1, 1 }, { 2, 1 }, { 3, 1 } })
  H.run(rt, 1)
  A.mine_tiles(rt, s, { { 1, 1 } }, "grass-1")
  s.set_tiles({ { name = "stone-path", position = { 40, 5 } } }, true, true, true, true)
  H.run(rt, 1)
  s.delete_chunk({ 1, 0 })
  H.run(rt, 2)
  return since(rt, first)
end }

scenarios.buildings = { about = "snapshot with a pre-existing building, player/robot/script builds, rotate, clone, mined/died/silently destroyed", run = function()
  local rt, first = fresh()
  local s = lab(rt)
  local furnace = A.build(rt, s, "stone-furnace", 5, 5, { by = "silent" })
  chart(rt, s, 0, 0, 0, 0)
  H.run(rt, 2)
  local am = A.build(rt, s, "assembling-machine-2", 10.5, 10.5, { by = "player" })
  local belt = A.build(rt, s, "transport-belt", 3.5, 20.5, { by = "robot", direction = 4 })
  local pole = A.build(rt, s, "small-electric-pole", 7.5, 12.5, { by = "script" })
  H.run(rt, 1)
  A.rotate(rt, belt)
  H.run(rt, 1)
  local copy = A.clone(rt, am, 20.5, 10.5)
  H.run(rt, 1)
  A.mine(rt, belt)
  A.die(rt, pole)
  A.destroy_silently(rt, furnace)
  A.destroy_silently(rt, copy)
  H.run(rt, 2)
  return since(rt, first)
end }

scenarios.resources = { about = "chunk resources, on_resource_depleted, and the slow refresh of mined amounts", run = function()
  local rt, first = fresh()
  local s = lab(rt)
  local ore = {}
  for i, spec in ipairs({ { "iron-ore", 3, 4, 500 }, { "iron-ore", 4, 4, 700 }, { "copper-ore", 3, 5, 1200 }, { "coal", 31, 31, 50 } }) do
    ore[i] = s.create_entity({ name = spec[1], position = { spec[2] + 0.5, spec[3] + 0.5 }, amount = spec[4] })
  end
  chart(rt, s, 0, 0, 0, 0)
  H.run(rt, 2)
  A.deplete(rt, ore[4])
  H.run(rt, 2)
  ore[1].amount = 321 -- mined without an event
  A.set_setting(rt, "kafkatorio-resource-refresh-ticks", 10)
  H.run(rt, 10)
  A.set_setting(rt, "kafkatorio-resource-refresh-ticks", 0)
  H.run(rt, 2)
  return since(rt, first)
end }

scenarios.players = { about = "join, throttled movement (15 ticks), colour change, leave, surface change, death", run = function()
  local rt, first = fresh()
  local s = lab(rt)
  local a = rt:create_player("Sparkle", { r = 0.869, g = 0.5, b = 0.13, a = 0.5 })
  local b = rt:create_player("Twinkle", { r = 0.1, g = 0.2, b = 0.9, a = 1 })
  A.join(rt, a)
  H.run(rt, 1)
  for i = 1, 30 do
    rt:move_player(a, a.physical_position.x + 0.3, a.physical_position.y - 0.15)
    H.run(rt, 1)
  end
  a.color = { r = 1, g = 0, b = 0, a = 1 }
  H.run(rt, 60 - rt.tick % 60 + 1)
  A.join(rt, b)
  H.run(rt, 1)
  A.leave(rt, b)
  H.run(rt, 1)
  A.change_surface(rt, a, s, 16, 16)
  H.run(rt, 1)
  rt:raise("on_player_died", { player_index = a.index })
  H.run(rt, 1)
  return since(rt, first)
end }

scenarios.surfaces = { about = "a platform surface created, a surface renamed (old name deleted) and deleted, daytime", run = function()
  local rt, first = fresh()
  local s = lab(rt)
  H.run(rt, 1)
  local platform = rt:create_surface("platform-1", { platform = "Iron Express", empty = "space-platform-foundation" })
  H.run(rt, 1)
  rt:rename_surface(s, "lab-2")
  H.run(rt, 1)
  rt:delete_surface(platform)
  H.run(rt, 1)
  rt.surfaces[1].daytime = 0.5
  A.set_setting(rt, "kafkatorio-daytime-ticks", 20)
  H.run(rt, 20 - rt.tick % 20 + 1)
  return since(rt, first)
end }

scenarios.chat = { about = "player chat, server chat, escapes and UTF-8, the 4096-byte cap", run = function()
  local rt, first = fresh()
  local a = rt:create_player("Sparkle")
  A.chat(rt, a, "hello")
  A.chat(rt, nil, 'server says "hi"\nsecond line\ttab')
  A.chat(rt, a, "héllo ✓ 工厂")
  A.chat(rt, a, string.rep("é", 2100))
  H.run(rt, 2)
  return since(rt, first)
end }

scenarios.reload = { about = "save and load: session_start at seq 0, then the read-only resync of surfaces, players and charted chunks", run = function()
  local rt = H.game({})
  local s = lab(rt)
  A.build(rt, s, "stone-furnace", 5, 5, { by = "player" })
  s.create_entity({ name = "stone", position = { 8.5, 8.5 }, amount = 900 })
  chart(rt, s, 0, 0, 0, 0)
  local a = rt:create_player("Sparkle")
  A.join(rt, a)
  H.run(rt, 5)
  local saved = rt:save()
  rt:load(saved)
  local first = #rt.lines + 1
  H.run(rt, 10)
  return since(rt, first)
end }

local ORDER = { "init", "terrain", "buildings", "resources", "players", "surfaces", "chat", "reload" }
-- The factory families (chart tags, stations, trains, platforms): tests/factory_scenarios.lua.
require("tests.factory_scenarios").register(scenarios, ORDER)

local function write_fixture(family, about, lines)
  os.execute("mkdir -p '" .. FIXTURES .. "'")
  local f = assert(io.open(FIXTURES .. family .. ".txt", "wb"))
  f:write("# Expected packet lines of the mod's '" .. family .. "' scenario (mod-tools/tests/test_families.lua):\n")
  f:write("# " .. about .. ".\n")
  f:write("# Generated by `lua5.2 mod-tools/run_tests.lua --update-fixtures`, reviewed, then checked by both suites.\n")
  for _, l in ipairs(lines) do f:write(l, "\n") end
  f:close()
end

local suite = {}
for _, family in ipairs(ORDER) do
  local sc = scenarios[family]
  suite[#suite + 1] = { "family " .. family, function()
    local lines = sc.run()
    if UPDATE_FIXTURES then write_fixture(family, sc.about, lines) end
    local expected = H.fixture_lines(FIXTURES .. family .. ".txt")
    for i = 1, math.max(#lines, #expected) do
      local a, e = lines[i], expected[i]
      if not a or not e then
        error(string.format("%s: %d lines printed, %d expected; first difference at line %d: %s", family, #lines,
          #expected, i, (a or e):sub(1, 160)), 0)
      end
      local pa, pe = H.parse(a), H.parse(e)
      if not H.same_packet(pa, pe) then
        error(string.format("%s line %d differs:\n  got      %s\n  expected %s", family, i, a:sub(1, 300), e:sub(1, 300)), 0)
      end
      assert(#a < 16384, "line over 16 KB")
    end
  end }
end
suite.scenarios = scenarios
return suite
