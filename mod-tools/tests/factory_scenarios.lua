-- The factory families' scenarios for test_families.lua (fixtures Tests/Fixtures/mod/<family>.txt):
-- chart tags edited by another player, stations renamed, trains moving and destroyed mid-route,
-- a platform departing and arriving (Space Age on).
local H = require("harness")
local A = require("actions")
local F = require("factory")
local defines = require("defines")

local M = {}

local lab, fresh, since = H.lab, H.fresh, H.since

-- Runs until the tick after the next multiple of n.
local function run_to(rt, n) H.run(rt, n - rt.tick % n + 1) end

M.ORDER = { "tags", "stations", "trains", "platforms" }
M.scenarios = {}

M.scenarios.tags = { about = "tags added by a player and a script, edited and moved by another player, removed, and the refresh (every tag, then the set)", run = function()
  local rt, first = fresh({ ["kafkatorio-live-refresh-ticks"] = 30 })
  local s = lab(rt)
  local a = rt:create_player("Sparkle")
  local b = rt:create_player("Twinkle")
  local force = rt.forces_by_name.player
  local mine = F.add_tag(rt, force, s, { position = { 10.5, -4 }, text = "Iron [item=iron-ore]", icon = { type = "item", name = "iron-ore" } }, a.index)
  local note = force.add_chart_tag(s, { position = { -20, 8 }, text = "script note" })
  H.run(rt, 1)
  F.edit_tag(rt, mine, { text = "Iron mine ✓", icon = { type = "virtual", name = "signal-A" } }, b.index)
  F.edit_tag(rt, note, { position = { -19.5, 9 } }, b.index)
  H.run(rt, 1)
  F.remove_tag(rt, note, b.index)
  H.run(rt, 1)
  run_to(rt, 30)
  return since(rt, first)
end }

M.scenarios.stations = { about = "two stations built, renamed by a player and by a script, rotated, mined, and one destroyed silently", run = function()
  local rt, first = fresh()
  local s = lab(rt)
  local a = rt:create_player("Sparkle")
  local iron = F.build_stop(rt, s, 10, 10, "Iron pickup", { player_index = a.index })
  local copper = F.build_stop(rt, s, 30, 10, "Copper drop", { player_index = a.index, direction = 4 })
  H.run(rt, 1)
  F.rename(rt, iron, "Iron [item=iron-plate] pickup", a.index)
  F.rename(rt, copper, "Copper drop 2", nil)
  H.run(rt, 1)
  A.rotate(rt, copper, a.index)
  H.run(rt, 1)
  A.mine(rt, iron, a.index)
  A.destroy_silently(rt, copper)
  H.run(rt, 2)
  return since(rt, first)
end }

M.scenarios.trains = { about = "a train waiting at a station, departing, sampled while it moves (only when it moved), a parked train sent once, then destroyed mid-route", run = function()
  local rt, first = fresh({ ["kafkatorio-train-sample-ticks"] = 20 })
  local s = lab(rt)
  local st = defines.train_state
  local a = F.build_stop(rt, s, 20, 2, "Mine")
  local b = F.build_stop(rt, s, 100, 2, "Smelter")
  local train = F.create_train(rt, s, { { "locomotive", 20, 5, 0.25 }, { "cargo-wagon", 13, 5, 0.25 }, { "cargo-wagon", 6, 5, 0.25 } })
  F.set_train(rt, train, { state = st.wait_station, station = a, path_end_stop = a })
  local parked = F.create_train(rt, s, { { "locomotive", 50, 40, 0.5 } }, { manual = true })
  F.set_train(rt, parked, { state = st.manual_control })
  H.run(rt, 1)
  F.set_train(rt, train, { state = st.on_the_path, station = false, path_end_stop = b, speed = 0.5 })
  for _ = 1, 45 do
    local cars = {}
    for i, c in ipairs(train.carriages) do cars[i] = { c.position.x + 0.5, c.position.y, 0.25 } end
    F.move_train(rt, train, cars)
    H.run(rt, 1)
  end
  F.destroy_train(rt, train)
  H.run(rt, 2)
  return since(rt, first)
end }

M.scenarios.platforms = { about = "Space Age: a platform found by the sampler, waiting for departure, travelling nauvis to vulcanus with progress, arriving, destroyed", run = function()
  local rt, first = fresh({ ["kafkatorio-train-sample-ticks"] = 20 }, F.enable_space_age)
  local p = F.create_platform(rt, rt.forces_by_name.player, "Iron Express", "nauvis")
  run_to(rt, 20)
  F.set_platform_state(rt, p, "waiting_for_departure")
  H.run(rt, 1)
  F.depart(rt, p, "vulcanus", 0.25)
  H.run(rt, 1)
  F.fly(rt, p, 0.5)
  run_to(rt, 20)
  run_to(rt, 20) -- unchanged: not sent again
  F.fly(rt, p, 1)
  F.arrive(rt, p)
  H.run(rt, 1)
  F.destroy_platform(rt, p)
  H.run(rt, 2)
  return since(rt, first)
end }

-- Adds the scenarios to test_families.lua's table and order.
function M.register(scenarios, order)
  for _, family in ipairs(M.ORDER) do
    scenarios[family] = M.scenarios[family]
    order[#order + 1] = family
  end
end

return M
