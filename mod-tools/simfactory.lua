--[[ The simulated server's factory (part of simworld.lua): railway lines north of spawn, each a
straight track with a station at both ends; trains shuttle between them (accelerate, run, arrive,
wait, leave), and now and then one is destroyed mid-route and a new one is built; players place
chart tags near their homes and other players edit or remove them; with Space Age on, a platform
flies between nauvis and vulcanus. Deterministic for the simulation's seed, from a generator of its
own (so the rest of the simulated world is the same with or without the factory).

opts: stations (count, ≥ 2), trains (count), space_age (bool), rails (lay straight-rail entities).
]]
local F = require("factory")
local defines = require("defines")

local SimFactory = {}
SimFactory.__index = SimFactory

local ST = defines.train_state
local LINE_LENGTH = 160   -- tiles between a line's two stations
local LINE_GAP = 8        -- tiles between lines (north of spawn)
local CAR_GAP = 7         -- tiles between carriage centres
local SPEED = 0.4         -- tiles per tick at full speed (~86 km/h)
local WAIT = 300          -- ticks at a station
local TAG_TEXTS = { "Iron", "Copper", "Main bus", "Biters!", "Oil [item=crude-oil-barrel]", "Base ✓", "Coal", "Stone",
  "Outpost", "Uranium ☢" }
local TAG_ICONS = { { type = "item", name = "iron-plate" }, { type = "item", name = "copper-plate" },
  { type = "virtual", name = "signal-A" }, { type = "item", name = "coal" } }

function SimFactory.new(sim, opts)
  local self = setmetatable({ sim = sim, rt = sim.rt, surface = sim.surface, lines = {}, trains = {}, tags = {},
    stats = { trains_destroyed = 0, tag_edits = 0 }, state = (sim.seed * 40503 + 7) % 4294967295 + 1 }, SimFactory)
  self.rand = sim.rand -- the simulation's xorshift32 on this object's own state
  local rt, s = self.rt, self.surface
  local n_lines = math.max(1, math.floor((opts.stations or 0) / 2))
  if (opts.stations or 0) < 2 then n_lines = 0 end
  for k = 1, n_lines do
    local y = -70 - LINE_GAP * (k - 1)
    local x0, x1 = -LINE_LENGTH / 2, LINE_LENGTH / 2
    if opts.rails ~= false then
      for x = x0 - 2, x1 + 2, 2 do s.create_entity({ name = "straight-rail", position = { x + 1, y + 1 }, force = "player" }) end
    end
    local a = F.build_stop(rt, s, x0 - 1, y - 2, "Mine " .. k, { player_index = nil })
    local b = F.build_stop(rt, s, x1 + 1, y - 2, "Smelter " .. k, { player_index = nil, direction = 8 })
    self.lines[k] = { y = y, x0 = x0, x1 = x1, stops = { a, b } }
  end
  for i = 1, (n_lines > 0 and opts.trains or 0) do
    local line = self.lines[(i - 1) % n_lines + 1]
    self:spawn(line, (math.floor((i - 1) / n_lines) * 0.37) % 1)
  end
  if opts.space_age then self.platform_phase = { next = 600 } end
  return self
end

-- A train of a locomotive and two wagons on `line`, `at` (0…1) of the way from its west end.
function SimFactory:spawn(line, at)
  local x = line.x0 + (line.x1 - line.x0) * at
  local t = F.create_train(self.rt, self.surface, { { "locomotive", x, line.y, 0.25 },
    { "cargo-wagon", x - CAR_GAP, line.y, 0.25 }, { "cargo-wagon", x - 2 * CAR_GAP, line.y, 0.25 } })
  local agent = { train = t, line = line, x = x, dir = 1, speed = 0, wait = 0, target = 2 }
  F.set_train(self.rt, t, { state = ST.on_the_path, path_end_stop = line.stops[2], has_path = true })
  self.trains[#self.trains + 1] = agent
  return agent
end

function SimFactory:drive(a)
  local rt, t = self.rt, a.train
  if not t.valid then return end
  if a.wait > 0 then
    a.wait = a.wait - 1
    if a.wait == 0 then
      a.dir, a.target = -a.dir, 3 - a.target
      F.set_train(rt, t, { state = ST.on_the_path, station = false, path_end_stop = a.line.stops[a.target] })
    end
    return
  end
  local goal = a.dir > 0 and a.line.x1 or a.line.x0
  local left = (goal - a.x) * a.dir
  a.speed = math.min(SPEED, a.speed + 0.005, math.max(0.02, left / 40))
  if left <= a.speed then
    a.x, a.speed, a.wait = goal, 0, WAIT
    F.set_train(rt, t, { state = ST.wait_station, speed = 0, station = a.line.stops[a.target] })
  else
    a.x = a.x + a.dir * a.speed
    t.speed = a.speed
  end
  local o = a.dir > 0 and 0.25 or 0.75
  local cars = {}
  for i = 1, #t.carriages do cars[i] = { a.x - a.dir * CAR_GAP * (i - 1), a.line.y, o } end
  F.move_train(rt, t, cars)
end

function SimFactory:tag_step()
  local sim, rt = self.sim, self.rt
  local online = {}
  for _, a in ipairs(sim.agents) do if a.player.connected then online[#online + 1] = a end end
  if #online == 0 then return end
  local a = online[1 + math.floor(self:rand() * #online)]
  local r = self:rand()
  local live = {}
  for _, t in ipairs(self.tags) do if t.valid then live[#live + 1] = t end end
  self.tags = live
  if #live < 20 and (r < 0.5 or #live == 0) then
    local ang, d = self:rand() * 2 * math.pi, 30 * math.sqrt(self:rand())
    local x, y = math.floor(a.home.x + math.cos(ang) * d), math.floor(a.home.y + math.sin(ang) * d)
    self.tags[#self.tags + 1] = F.add_tag(rt, a.player.force, self.surface, { position = { x + 0.5, y + 0.5 },
      text = TAG_TEXTS[1 + math.floor(self:rand() * #TAG_TEXTS)], icon = TAG_ICONS[1 + math.floor(self:rand() * #TAG_ICONS)] },
      a.player.index)
  elseif r < 0.9 then -- someone (often another player) edits a tag
    local t = live[1 + math.floor(self:rand() * #live)]
    F.edit_tag(rt, t, { text = TAG_TEXTS[1 + math.floor(self:rand() * #TAG_TEXTS)] .. " " .. math.floor(self:rand() * 100) },
      a.player.index)
    self.stats.tag_edits = self.stats.tag_edits + 1
  else
    F.remove_tag(rt, live[1 + math.floor(self:rand() * #live)], a.player.index)
  end
end

-- Space Age: a platform over nauvis that shuttles to vulcanus and back (60 s trips, 30 s stays).
function SimFactory:platform_step(tick)
  local ph = self.platform_phase
  local rt = self.rt
  if not ph.platform then
    if tick < ph.next then return end
    ph.platform = F.create_platform(rt, rt.forces_by_name.player, "Iron Express", "nauvis")
    ph.next = tick + 600
    return
  end
  local p = ph.platform
  if p.space_connection then
    F.fly(rt, p, math.min(1, p.distance + 1 / 3600))
    if p.distance >= 1 then
      F.arrive(rt, p)
      ph.next = tick + 1800
    end
  elseif tick >= ph.next then
    if p.state ~= defines.space_platform_state.waiting_for_departure then
      F.set_platform_state(rt, p, "waiting_for_departure")
      ph.next = tick + 120
    else
      F.depart(rt, p, p.space_location.name == "nauvis" and "vulcanus" or "nauvis", 0.5)
    end
  end
end

-- One tick of the factory (called by Sim:world).
function SimFactory:tick(tick)
  for _, a in ipairs(self.trains) do self:drive(a) end
  -- Now and then a train is destroyed mid-route (a biter, a player); a new one replaces it later.
  if tick % 7200 == 3600 and #self.trains > 0 then
    local i = 1 + math.floor(self:rand() * #self.trains)
    local a = self.trains[i]
    if a.train.valid and a.wait == 0 then
      F.destroy_train(self.rt, a.train)
      self.stats.trains_destroyed = self.stats.trains_destroyed + 1
      table.remove(self.trains, i)
      a.respawn = tick + 1800
      self.respawn = a
    end
  end
  if self.respawn and tick >= self.respawn.respawn then
    self:spawn(self.respawn.line, 0.1)
    self.respawn = nil
  end
  if tick % 300 == 150 then self:tag_step() end
  if self.platform_phase then self:platform_step(tick) end
end

return SimFactory
