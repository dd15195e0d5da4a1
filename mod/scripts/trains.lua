--[[ Trains: sampled every kafkatorio-train-sample-ticks (the known trains are visited round-robin,
spread over the interval's ticks), sent when the front carriage moved or state, mode or stops
changed since the last packet, at once on on_train_created / on_train_changed_state, re-sent
every kafkatorio-live-refresh-ticks even when unchanged, and `train_removed` when the LuaTrain is
destroyed (on_object_destroyed: all carriages gone, mid-route or not, or merged/split).

storage.trains: list (ids, in the order they became known), index (id -> list position),
info (id -> {si = surface index, sent = tick, and what was last sent: x, y of the front carriage,
state, manual, stop and next stop unit numbers}).
]]
local util = require("scripts.util")
local emitter = require("scripts.emitter")
local config = require("scripts.config")

local trains = {}

local LABEL = 1024
local floor = math.floor

local STATE = {}
for name, v in pairs(defines.train_state) do STATE[v] = name end

local cfg = config.values -- the runtime-global settings (cached: scripts/config.lua)

function trains.init_storage()
  storage.trains = storage.trains or { list = {}, index = {}, info = {} }
end

local function stop_of(e)
  if not (e and e.valid) then return nil, nil end
  local name = e.backer_name or ""
  if #name > LABEL then name = util.truncate_utf8(name, LABEL) end
  return name, e.unit_number
end

-- Whether the train still is what its last packet said (front position, state, mode, stops):
-- compared field by field at each sample, without building anything (a stop is its unit
-- number, 0 for none).
local function unchanged(info, t, front)
  local p = front.position
  if not (info.x == p.x and info.y == p.y and info.state == t.state and info.manual == t.manual_mode) then
    return false
  end
  local e = t.station
  if info.stop ~= (e and e.valid and e.unit_number or 0) then return false end
  e = t.path_end_stop
  return info.next == (e and e.valid and e.unit_number or 0)
end

-- cars: t.carriages when the caller has it already (each read of it builds the list anew).
function trains.payload(t, cars)
  cars = cars or t.carriages
  local front = cars[1]
  local flat, k = {}, 0
  for i = 1, #cars do
    local c = cars[i]
    local p = c.position
    flat[k + 1] = p.x
    flat[k + 2] = p.y
    flat[k + 3] = floor(c.orientation * 1000 + 0.5) / 1000
    k = k + 3
  end
  local out = { id = t.id, surface = front.surface.name, force = front.force.name,
    state = STATE[t.state] or "unknown", manual = t.manual_mode, speed = floor(t.speed * 10000 + 0.5) / 10000, carriages = flat }
  out.stop, out.stop_unit = stop_of(t.station)
  out.next_stop, out.next_stop_unit = stop_of(t.path_end_stop)
  return out
end

-- Queue keys by train id: a cache of "tr:" .. id (the same on every peer, not in storage),
-- dropped when the train is forgotten.
local keys = {}
local function key_of(id)
  local k = keys[id]
  if not k then
    k = "tr:" .. id
    keys[id] = k
  end
  return k
end

-- Starts following a train (registers it for on_object_destroyed).
local function track(t)
  local s = storage.trains
  local known = s.info[t.id]
  if known then return known end
  script.register_on_object_destroyed(t)
  s.list[#s.list + 1] = t.id
  s.index[t.id] = #s.list
  local info = { si = t.front_stock and t.front_stock.surface_index or nil, sent = -1 }
  s.info[t.id] = info
  return info
end

local function forget(id)
  local s = storage.trains
  local i = s.index[id]
  if not i then return nil end
  local last = #s.list
  local moved = s.list[last]
  s.list[i] = moved
  s.index[moved] = i
  s.list[last] = nil
  s.index[id] = nil
  local info = s.info[id]
  s.info[id] = nil
  keys[id] = nil
  return info
end

function trains.queue(lane, id)
  emitter.enqueue(lane, keys[id] or key_of(id), { kind = "train", id = id })
end

function trains.build(item, tick, register)
  local t = game.train_manager.get_train_by_id(item.id)
  if not (t and t.valid) then return {} end
  local cars = t.carriages
  if #cars == 0 then return {} end
  local out = trains.payload(t, cars)
  if register then
    -- what the packet says, for the sampler's comparison (the front's x, y come first)
    local info = track(t)
    local flat = out.carriages
    info.si = cars[1].surface_index
    info.x, info.y, info.state, info.manual = flat[1], flat[2], t.state, out.manual
    info.stop, info.next, info.sent = out.stop_unit or 0, out.next_stop_unit or 0, tick
  end
  return { { type = "train", body = emitter.encode(out) } }
end

local function removed(id)
  local info = forget(id)
  if not (info and info.si and info.state) then return end -- never sent
  local s = game.get_surface(info.si)
  local name = (s and s.valid and s.name) or storage.surface_names[info.si]
  if name then emitter.send("hi", "train_removed", { id = id, surface = name }) end
end

-- on_train_changed_state {train, old_state}, and on_train_created {train, old_train_id_1?,
-- old_train_id_2?} (the old trains of a merge or split are gone; only that event has the fields).
function trains.on_event(event)
  if event.name == defines.events.on_train_created then
    if event.old_train_id_1 then removed(event.old_train_id_1) end
    if event.old_train_id_2 then removed(event.old_train_id_2) end
  end
  local t = event.train
  if not (t and t.valid) then return end
  track(t)
  trains.queue("hi", t.id)
end

-- on_object_destroyed {type = train, useful_id = train id}
function trains.on_object_destroyed(event)
  if event.type == defines.target_type.train then removed(event.useful_id) end
end

-- The sampler: the trains at list positions i with (i - 1) % interval == tick % interval, so each
-- train is looked at once per interval and a tick looks at ceil(n / interval) of them.
function trains.on_tick(tick)
  local list = storage.trains.list
  local n = #list
  if n == 0 then return end
  local every = cfg["kafkatorio-train-sample-ticks"]
  local refresh = cfg["kafkatorio-live-refresh-ticks"]
  local manager = game.train_manager
  local info_of = storage.trains.info
  local gone = nil
  for i = tick % every + 1, n, every do
    local id = list[i]
    local t = manager.get_train_by_id(id)
    if not (t and t.valid) then
      gone = gone or {}
      gone[#gone + 1] = id
    else
      local info = info_of[id]
      local front = t.front_stock
      if front and (not unchanged(info, t, front) or (refresh > 0 and tick - info.sent >= refresh)) then
        trains.queue("hi", id)
      end
    end
  end
  if gone then for _, id in ipairs(gone) do removed(id) end end
end

-- Init / configuration change: every train of the game, by id.
local function sorted_trains() return util.sort_by(game.train_manager.get_trains({}), "id") end

function trains.queue_all(lane)
  for _, t in ipairs(sorted_trains()) do
    track(t)
    trains.queue(lane, t.id)
  end
end

function trains.resync_parts(tick)
  local parts = {}
  for _, t in ipairs(sorted_trains()) do
    local cars = t.carriages
    if #cars > 0 then parts[#parts + 1] = { type = "train", body = emitter.encode(trains.payload(t, cars)) } end
  end
  return parts
end

return trains
