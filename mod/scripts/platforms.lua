--[[ Space platforms (Space Age only: nothing at all without script.active_mods["space-age"]):
found by the sampler (every kafkatorio-train-sample-ticks, each force's platforms in index order),
sent when new, on on_space_platform_changed_state (departing, arriving, …), while they travel
(progress) or when anything else in the packet changed, re-sent every
kafkatorio-live-refresh-ticks; `space_platform_removed` on on_object_destroyed.

storage.platforms[index] = {fi = force index, sig = what was last sent, sent = tick}.
]]
local emitter = require("scripts.emitter")
local config = require("scripts.config")

local platforms = {}

local floor = math.floor
local STATE = {}
for name, v in pairs(defines.space_platform_state) do STATE[v] = name end

local cfg = config.values -- the runtime-global settings (cached: scripts/config.lua)
local function round(x, step) return floor(x / step + 0.5) * step end
local function active() return script.active_mods["space-age"] ~= nil end

function platforms.init_storage()
  storage.platforms = storage.platforms or {}
end

function platforms.payload(p)
  local out = { index = p.index, name = p.name, surface = p.surface.name, force = p.force.name,
    state = STATE[p.state] or "unknown", speed = round(p.speed or 0, 0.0001) }
  local c = p.space_connection
  if c then
    out.from, out.to = c.from.name, c.to.name
    if p.distance then out.progress = math.max(0, math.min(1, round(p.distance, 0.0001))) end
  elseif p.space_location then
    out.location = p.space_location.name
  end
  local hub = p.hub
  if hub and hub.valid then out.hub = { hub.position.x, hub.position.y } end
  return out
end

local function signature(payload)
  return payload.state .. "," .. (payload.location or "") .. "," .. (payload.from or "") .. "," ..
      (payload.to or "") .. "," .. (payload.progress or "") .. "," .. payload.speed .. "," .. payload.name
end

local function find(index)
  local info = storage.platforms[index]
  local force = info and game.forces[info.fi]
  local p = force and force.platforms[index]
  if p and p.valid then return p end
  return nil
end

local function track(p)
  local info = storage.platforms[p.index]
  if info then return info end
  script.register_on_object_destroyed(p)
  info = { fi = p.force.index, sent = -1 }
  storage.platforms[p.index] = info
  return info
end

function platforms.queue(lane, index)
  emitter.enqueue(lane, "pf:" .. index, { kind = "platform", index = index })
end

function platforms.build(item, tick, register)
  local p = find(item.index)
  if not (p and p.surface) then return {} end
  local payload = platforms.payload(p)
  if register then
    local info = storage.platforms[item.index]
    info.sig, info.sent = signature(payload), tick
  end
  return { { type = "space_platform", body = emitter.encode(payload) } }
end

-- on_space_platform_changed_state {platform, old_state}
function platforms.on_changed_state(event)
  local p = event.platform
  if not (active() and p and p.valid) then return end
  track(p)
  platforms.queue("hi", p.index)
end

-- on_object_destroyed {type = space_platform, useful_id = platform index}
function platforms.on_object_destroyed(event)
  if event.type ~= defines.target_type.space_platform then return end
  local info = storage.platforms[event.useful_id]
  if not info then return end
  storage.platforms[event.useful_id] = nil
  if info.sig then emitter.send("hi", "space_platform_removed", { index = event.useful_id }) end
end

-- Every platform of every force, forces and platforms in index order.
local function sorted()
  local list = {}
  local forces = {}
  for _, f in pairs(game.forces) do forces[#forces + 1] = f end
  table.sort(forces, function(a, b) return a.index < b.index end)
  for _, f in ipairs(forces) do
    local own = {}
    for _, p in pairs(f.platforms) do if p.valid then own[#own + 1] = p end end
    table.sort(own, function(a, b) return a.index < b.index end)
    for _, p in ipairs(own) do list[#list + 1] = p end
  end
  return list
end

function platforms.on_tick(tick)
  if not active() then return end
  local every = cfg["kafkatorio-train-sample-ticks"]
  if tick % every ~= 0 then return end
  local refresh = cfg["kafkatorio-live-refresh-ticks"]
  for _, p in ipairs(sorted()) do
    local info = track(p)
    if p.surface and (info.sig ~= signature(platforms.payload(p)) or (refresh > 0 and tick - info.sent >= refresh)) then
      platforms.queue("hi", p.index)
    end
  end
end

function platforms.queue_all(lane)
  if not active() then return end
  for _, p in ipairs(sorted()) do
    track(p)
    platforms.queue(lane, p.index)
  end
end

function platforms.resync_parts(tick)
  local parts = {}
  if not active() then return parts end
  for _, p in ipairs(sorted()) do
    if p.surface then parts[#parts + 1] = { type = "space_platform", body = emitter.encode(platforms.payload(p)) } end
  end
  return parts
end

return platforms
