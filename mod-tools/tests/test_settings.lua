-- The settings cache (mod/scripts/config.lua): a runtime-global setting changed while the game
-- runs (on_runtime_mod_setting_changed, as the mod settings GUI or a script raise it) takes effect
-- at once, for every setting of settings.lua; other mods' and per-user settings change nothing.
local H = require("harness")
local A = require("actions")

-- Counts the packets of each type among lines.
local function count(lines)
  local n = {}
  for _, l in ipairs(lines) do
    local t = H.parse(l).type
    n[t] = (n[t] or 0) + 1
  end
  return n
end

-- A game with a charted 4-chunk lab, its snapshot drained (sweep off: H.QUIET).
local function charted_lab()
  local rt = H.game({})
  local s = H.lab(rt)
  H.chart(rt, s, 0, 0, 1, 1)
  H.run(rt, 30)
  return rt
end

local scenarios = {}

-- The sweep switched on, then off, then on at another rate, and the budget lowered: each change
-- is seen by the very next tick.
function scenarios.sweep_and_budget()
  local rt = charted_lab()
  assert((count(H.run(rt, 20)).chunk_terrain or 0) == 0, "the sweep runs although it is off")
  A.set_setting(rt, "kafkatorio-sweep-ticks", 2, 1)
  local on = H.run(rt, 2) -- one of the two ticks is a multiple of 2
  assert(count(on).chunk_terrain == 1, "the sweep did not start at once: " .. #on .. " lines")
  H.run(rt, 10)
  A.set_setting(rt, "kafkatorio-sweep-ticks", 0)
  H.run(rt, 3) -- what the last sweep queued drains
  assert((count(H.run(rt, 20)).chunk_terrain or 0) == 0, "the sweep did not stop")
  -- One storage-lane packet a tick (the budget minus the local lane's one): a swept chunk's three
  -- parts take three ticks.
  A.set_setting(rt, "kafkatorio-packets-per-tick", 2)
  A.set_setting(rt, "kafkatorio-sweep-ticks", 1000)
  H.run(rt, 1000 - rt.tick % 1000)
  for _ = 1, 3 do assert(#H.run(rt, 1) == 1, "the packet budget did not change at once") end
  return rt
end

return {
  scenarios = scenarios,
  { "settings: a runtime-global setting changed while the game runs takes effect at once", function()
    scenarios.sweep_and_budget()
  end },
  { "settings: every setting of settings.lua is read anew after on_runtime_mod_setting_changed", function()
    local rt = charted_lab()
    local values = rt.env.require("scripts.config").values
    local names = {}
    for name in pairs(rt.setting_specs) do names[#names + 1] = name end
    table.sort(names)
    assert(#names >= 12, "settings.lua has only " .. #names .. " settings")
    for _, name in ipairs(names) do
      local spec, old = rt.setting_specs[name], rt.settings.global[name].value
      assert(values[name] == old, name .. " is not the game's value")
      H.run(rt, 1) -- the mod reads (and caches) its settings while ticking
      local new = old < spec.maximum_value and old + 1 or old - 1
      A.set_setting(rt, name, new)
      assert(values[name] == new, name .. ": still " .. tostring(values[name]) .. " after the change to " .. new)
      -- other mods' settings and per-user ones leave the cache as it is
      rt:raise("on_runtime_mod_setting_changed", { setting = "other-mod-setting", setting_type = "runtime-global" })
      rt:raise("on_runtime_mod_setting_changed", { setting = name, setting_type = "runtime-per-user", player_index = 1 })
      assert(values[name] == new, name .. " changed by an unrelated event")
      A.set_setting(rt, name, old)
      assert(values[name] == old, name .. " did not go back to " .. old)
    end
    H.run(rt, 2)
  end },
  { "settings: a loaded game reads the settings anew (the cache is not saved)", function()
    local rt = charted_lab()
    H.run(rt, 5)
    local saved = rt:save()
    rt.settings.global["kafkatorio-sweep-ticks"].value = 2 -- the save's settings differ
    rt:load(saved)
    H.run(rt, 200) -- the post-load resync
    assert(count(H.run(rt, 2)).chunk_terrain == 1, "the loaded game did not read sweep-ticks anew")
  end },
}
