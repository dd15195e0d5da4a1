-- The hot paths' shortcuts (per-tick work skipped when it cannot change the output) against what
-- they skip: every shortcut keeps derived, peer-local state, so each test also changes the
-- setting it depends on and saves and loads the game (the state starts anew).
local H = require("harness")
local A = require("actions")

local scenarios = {}

-- Ticks of the `player` packets of each player index among lines.
local function player_ticks(lines)
  local by = {}
  for _, l in ipairs(lines) do
    local p = H.parse(l)
    if p.type == "player" then
      local list = by[p.payload.index] or {}
      by[p.payload.index] = list
      list[#list + 1] = p.tick
    end
  end
  return by
end

-- Players who move every tick are sent exactly every kafkatorio-player-throttle-ticks.
local function check_gaps(lines, players, throttle, what)
  local by = player_ticks(lines)
  for _, p in ipairs(players) do
    local ticks = by[p.index]
    assert(ticks and #ticks >= 3, what .. ": player " .. p.index .. " sent " .. (ticks and #ticks or 0) .. " times")
    for i = 2, #ticks do
      assert(ticks[i] - ticks[i - 1] == throttle, string.format("%s: player %d sent at %d and %d (throttle %d)", what,
        p.index, ticks[i - 1], ticks[i], throttle))
    end
  end
end

local function walk(rt, players, n)
  local out = {}
  for _ = 1, n do
    for _, p in ipairs(players) do rt:move_player(p, p.physical_position.x + 1, p.physical_position.y) end
    for _, l in ipairs(H.run(rt, 1)) do out[#out + 1] = l end
  end
  return out
end

scenarios[#scenarios + 1] = { "hot paths: walking players are sent every throttle interval (changed setting, after a load)", function()
  local rt = H.fresh()
  H.lab(rt)
  local players = {}
  for i = 1, 3 do
    players[i] = rt:create_player("walker" .. i, { r = 0.1 * i, g = 0.5, b = 0.2, a = 1 })
    A.join(rt, players[i])
    H.run(rt, 4) -- joined on different ticks: each has its own phase
  end
  walk(rt, players, 20)
  check_gaps(walk(rt, players, 100), players, 15, "default throttle")
  -- a shorter throttle: a player sent long ago is due at once, then every 4 ticks
  A.set_setting(rt, "kafkatorio-player-throttle-ticks", 4)
  walk(rt, players, 20)
  check_gaps(walk(rt, players, 60), players, 4, "throttle 4")
  A.set_setting(rt, "kafkatorio-player-throttle-ticks", 25)
  walk(rt, players, 30)
  check_gaps(walk(rt, players, 120), players, 25, "throttle 25")
  rt:load(rt:save())
  walk(rt, players, 200) -- the post-load resync (local lane) is done by then
  check_gaps(walk(rt, players, 120), players, 25, "after a load")
end }

return scenarios
