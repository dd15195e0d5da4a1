--[[ A simulated game on the stand-in: players join, walk, explore (charting new chunks), build
small factories at a configurable rate, mine some of it, chat, leave and come back; biters and
scripts destroy a building now and then; radars re-chart. Deterministic for a seed.
Console lines ([JOIN]/[LEAVE]/[CHAT]) go to opts.console; packet lines to opts.out.
]]
local H = require("harness")
local A = require("actions")
local worldgen = require("worldgen")
local SimFactory = require("simfactory")
local F = require("factory")

local Sim = {}
Sim.__index = Sim

local NAMES = { "Sparkle", "Twinkle", "Gearhead", "Beltmaster", "Ratio", "Biterbane", "Spaghetti", "Trainwreck",
  "Nauvian", "Copperfield", "Ironside", "Cogsworth", "Fluxx", "Lumen", "Quartz", "Rivet", "Sprocket", "Tesla",
  "Volt", "Widget" }
local CHAT = { "hello", "need more iron", "who took my belts?", "biters at the north wall", "gg", "brb",
  "main bus is full again", "ratio 3:2 is wrong", "train stop ready", "héllo ✓", "o/" }
-- What players place: name, weight (more belts and inserters than anything else).
local ITEMS = { { "transport-belt", 8 }, { "inserter", 4 }, { "stone-furnace", 3 }, { "assembling-machine-1", 3 },
  { "assembling-machine-2", 2 }, { "small-electric-pole", 3 }, { "iron-chest", 2 }, { "electric-mining-drill", 3 },
  { "solar-panel", 1 }, { "pipe", 2 }, { "medium-electric-pole", 1 }, { "lab", 1 }, { "radar", 0.3 } }
local TOTAL = 0
for _, it in ipairs(ITEMS) do TOTAL = TOTAL + it[2] end

--[[ opts: seed, players, build_rate (builds per player per minute), mine_share (0..1),
  world_chunks (map size in chunks per side), settings, noisy (keep sweep etc. on), out, console,
  chart_radius (chunks around a player), join_spread (ticks over which players first join),
  strict (false: the mod sees the plain stand-in objects, as the benchmark runs),
  stations, trains, space_age, rails (the factory: simfactory.lua) ]]
function Sim.new(opts)
  local self = setmetatable({}, Sim)
  self.opts = opts
  self.seed = opts.seed or 1
  self.state = (self.seed * 2654435761) % 4294967295 + 1
  self.console = opts.console or function() end
  self.rt = H.game({ seed = self.seed, settings = opts.settings, noisy = opts.noisy, world_chunks = opts.world_chunks or 64,
    echo = opts.out, no_start = true, strict = opts.strict })
  if opts.out then self.rt.out = function(l) opts.out(l) end end
  if opts.space_age then F.enable_space_age(self.rt) end
  self.rt:start()
  self.surface = self.rt.surfaces[1]
  self.force = self.rt.forces_by_name.player
  self.stats = { built = 0, mined = 0, died = 0, silent = 0, tiles = 0, chats = 0, joins = 0, leaves = 0 }
  self.agents = {}
  self.radars = {}
  self.build_rate = opts.build_rate or 6
  self.mine_share = opts.mine_share or 0.1
  self.chart_radius = opts.chart_radius or 3
  -- Players chart the chunks around them while true (the benchmark's steady state turns it off).
  self.explore = true
  local n = opts.players or 4
  local spread = opts.join_spread or 600
  for i = 1, n do
    local name = NAMES[(i - 1) % #NAMES + 1] .. (i > #NAMES and tostring(i) or "")
    local color = { r = math.floor(self:rand() * 1000) / 1000, g = math.floor(self:rand() * 1000) / 1000,
      b = math.floor(self:rand() * 1000) / 1000, a = 0.5 }
    local p = self.rt:create_player(name, color)
    local hx, hy = self:spot(0, 0, 40 + 12 * i)
    self.agents[i] = { player = p, home = { x = hx, y = hy }, join_at = 1 + math.floor((i - 1) * spread / n),
      leave_at = nil, target = nil, built = {} }
  end
  self.rt.forces_by_name.player.chart(self.surface, { { -96, -96 }, { 96, 96 } })
  self.factory = SimFactory.new(self, { stations = opts.stations or 0, trains = opts.trains or 0,
    space_age = opts.space_age, rails = opts.rails })
  return self
end

-- Deterministic generator (no math.random: the same seed gives the same game).
local bxor, lshift, rshift = bit32.bxor, bit32.lshift, bit32.rshift
function Sim:rand()
  -- xorshift32: consecutive draws are independent (an LCG's are not after a small draw)
  local x = self.state
  x = bxor(x, lshift(x, 13))
  x = bxor(x, rshift(x, 17))
  x = bxor(x, lshift(x, 5))
  self.state = x
  return x / 4294967296
end

function Sim:spot(x, y, r)
  local a = self:rand() * 2 * math.pi
  local d = r * math.sqrt(self:rand())
  return math.floor(x + math.cos(a) * d), math.floor(y + math.sin(a) * d)
end

function Sim:bounds()
  local n = self.rt.world_chunks
  if n == 0 then return -1e6, 1e6 end
  local h = math.floor(n / 2)
  return -h * 32 + 8, (n - h) * 32 - 8
end

function Sim:pick_item()
  local r = self:rand() * TOTAL
  for _, it in ipairs(ITEMS) do
    r = r - it[2]
    if r <= 0 then return it[1] end
  end
  return "transport-belt"
end

function Sim:join(a)
  local p = a.player
  if not p.character then
    p.character = self.surface.create_entity({ name = "character", position = { a.home.x, a.home.y }, force = "player" })
    self.rt:move_player(p, a.home.x + 0.5, a.home.y + 0.5)
  end
  self.console("[JOIN] " .. p.name .. " joined the game")
  A.join(self.rt, p)
  self.stats.joins = self.stats.joins + 1
  a.leave_at = self.rt.tick + 36000 + math.floor(self:rand() * 72000)
end

function Sim:leave(a)
  self.console("[LEAVE] " .. a.player.name .. " left the game")
  A.leave(self.rt, a.player)
  self.stats.leaves = self.stats.leaves + 1
  a.join_at = self.rt.tick + 1800 + math.floor(self:rand() * 7200)
end

function Sim:chart_around(x, y, radius)
  local cx, cy = math.floor(x / 32), math.floor(y / 32)
  for dy = -radius, radius do
    for dx = -radius, radius do
      if not self.force.is_chunk_charted(self.surface, { cx + dx, cy + dy }) then
        self.rt:chart_chunk(self.force, self.surface, cx + dx, cy + dy)
      end
    end
  end
end

function Sim:walk(a)
  local p = a.player
  local pos = p.physical_position
  if not a.target or (math.abs(a.target.x - pos.x) < 1 and math.abs(a.target.y - pos.y) < 1) then
    local lo, hi = self:bounds()
    local tx, ty
    if self:rand() < 0.6 then tx, ty = self:spot(a.home.x, a.home.y, 60)
    else tx, ty = self:spot(pos.x, pos.y, 600) end
    a.target = { x = math.max(lo, math.min(hi, tx)) + 0.5, y = math.max(lo, math.min(hi, ty)) + 0.5 }
  end
  local dx, dy = a.target.x - pos.x, a.target.y - pos.y
  local d = math.sqrt(dx * dx + dy * dy)
  local step = 0.15 -- running speed, tiles per tick
  if d <= step then self.rt:move_player(p, a.target.x, a.target.y)
  else self.rt:move_player(p, pos.x + dx / d * step, pos.y + dy / d * step) end
end

function Sim:build(a)
  local rt, s = self.rt, self.surface
  if #a.built > 0 and self:rand() < self.mine_share then
    local i = 1 + math.floor(self:rand() * #a.built)
    local e = table.remove(a.built, i)
    if e.valid then
      if self:rand() < 0.8 then A.mine(rt, e, a.player.index) else A.robot_mine(rt, e) end
      self.stats.mined = self.stats.mined + 1
    end
    return
  end
  local name = self:pick_item()
  local n = name == "transport-belt" and 4 + math.floor(self:rand() * 6) or 1
  local x, y = self:spot(a.home.x, a.home.y, 8 + math.sqrt(#a.built) * 3)
  local dir = math.floor(self:rand() * 4) * 4
  for k = 0, n - 1 do
    local bx, by = x + (dir % 8 == 4 and k or 0), y + (dir % 8 == 0 and k or 0)
    local ok, px, py = s:can_place(name, bx + 0.5, by + 0.5)
    if ok then
      local e = A.build(rt, s, name, px, py, { by = self:rand() < 0.85 and "player" or "robot", direction = dir,
        player_index = a.player.index })
      a.built[#a.built + 1] = e
      self.stats.built = self.stats.built + 1
      if name == "radar" then self.radars[#self.radars + 1] = e end
    end
  end
end

function Sim:pave(a)
  local x, y = self:spot(a.home.x, a.home.y, 10)
  local cells = {}
  for dy = 0, 2 do for dx = 0, 2 do
    local t = self.surface:tile_name(x + dx, y + dy)
    if not worldgen.water[t] and t ~= "out-of-map" then cells[#cells + 1] = { x + dx, y + dy } end
  end end
  if #cells > 0 then
    A.build_tiles(self.rt, self.surface, self:rand() < 0.5 and "concrete" or "stone-path", cells, a.player.index)
    self.stats.tiles = self.stats.tiles + #cells
  end
end

-- One tick of the world (the function passed to Runtime:step).
function Sim:world()
  local rt = self.rt
  local tick = rt.tick
  local per_tick = self.build_rate / 3600
  for _, a in ipairs(self.agents) do
    local p = a.player
    if not p.connected then
      if tick >= a.join_at then self:join(a) end
    else
      self:walk(a)
      if self.explore and tick % 30 == a.player.index % 30 then
        local pos = p.physical_position
        self:chart_around(pos.x, pos.y, self.chart_radius)
      end
      if self:rand() < per_tick then self:build(a) end
      if self:rand() < per_tick / 10 then self:pave(a) end
      if self:rand() < 1 / 7200 then
        local msg = CHAT[1 + math.floor(self:rand() * #CHAT)]
        self.console("[CHAT] " .. p.name .. ": " .. msg)
        A.chat(rt, p, msg)
        self.stats.chats = self.stats.chats + 1
      end
      if a.leave_at and tick >= a.leave_at then self:leave(a) end
    end
  end
  -- Biters and scripts: now and then one building goes (died, or destroyed without an event).
  if tick % 600 == 300 and #self.agents > 0 then
    local a = self.agents[1 + math.floor(self:rand() * #self.agents)]
    if #a.built > 0 then
      local e = table.remove(a.built, 1 + math.floor(self:rand() * #a.built))
      if e.valid then
        if self:rand() < 0.7 then A.die(rt, e); self.stats.died = self.stats.died + 1
        else A.destroy_silently(rt, e); self.stats.silent = self.stats.silent + 1 end
      end
    end
  end
  -- Radars re-chart their 7x7 chunks every 10 s (the mod debounces re-charts).
  if tick % 600 == 0 then
    for _, r in ipairs(self.radars) do
      if r.valid then
        local cx, cy = math.floor(r.position.x / 32), math.floor(r.position.y / 32)
        self.force.chart(self.surface, { { (cx - 3) * 32, (cy - 3) * 32 }, { (cx + 4) * 32, (cy + 4) * 32 } })
      end
    end
  end
  self.surface.daytime = (tick % 25000) / 25000
  self.factory:tick(tick)
end

function Sim:run(ticks, after_tick)
  local world = function() self:world() end
  for _ = 1, ticks do
    self.rt:step(world)
    if after_tick then after_tick(self) end
  end
end

return Sim
