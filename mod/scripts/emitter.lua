--[[ The one place that prints packets (docs/packets.md, schema v1).

Two lanes share each tick's budget (settings kafkatorio-packets-per-tick / -bytes-per-tick):

* the storage lane: queues in `storage` (hi: events; lo: chunk snapshots and the sweep), filled
  and drained only by deterministic handlers, so every peer of a multiplayer game holds the same
  queue. Its share is the budget minus one packet and LOCAL_RESERVE bytes. Its byte accounting
  never depends on the sequence number (that is peer-local), so the drain is identical on
  every peer.
* the local lane: at most one packet per tick and at most LOCAL_RESERVE bytes, from state that is
  NOT in `storage` (it never writes `storage` or the game): the session_start packet after
  on_init/on_load and, after a load, a read-only resync of surfaces, players and every charted
  chunk. A client that joins a multiplayer game runs on_load too; its local lane only prints to
  its own stdout, which nobody reads, and changes nothing that could desync.

The sequence number is local as well: it restarts at 0 with each session_start (which
"resets the sequence"), and is consecutive from there, so a gap means a lost line.
]]
local util = require("scripts.util")

local emitter = {}

local TAG = "KAFKATORIO/1 "
-- Worst-case width of the seq field (2^53 has 16 digits) used in every byte estimate.
local SEQ_WIDTH = 16
-- Lines are kept at most this long (Docker splits stdout lines longer than 16 KB).
emitter.MAX_LINE = 16000
-- Payloads are split (buildings, resources) when their line would exceed this.
emitter.SPLIT_TARGET = 12000
emitter.LOCAL_RESERVE = 12288

local seq = 0
-- Local session state (not storage): see the header comment.
local session = { start_pending = false, resync = nil, lines = {}, first = 1 }
local builders = {}   -- kind -> function(item, tick, register) -> list of parts {type, body, area?}
local local_steps = nil -- function(session) -> list of parts or nil when done (set by control)
local stats = { packets = 0, bytes = 0, dropped = 0 }

function emitter.stats() return stats end

local function setting(name)
  return settings.global[name].value
end

-- Storage -------------------------------------------------------------------------------
function emitter.init_storage()
  storage.hi = storage.hi or { first = 1, last = 0 }
  storage.lo = storage.lo or { first = 1, last = 0 }
  storage.pending = storage.pending or {}
  storage.next_id = storage.next_id or 0
  storage.batches = storage.batches or {}
end

local function push(queue, key)
  queue.last = queue.last + 1
  queue[queue.last] = key
end

local function queue_length(queue) return queue.last - queue.first + 1 end
emitter.queue_length = function(name) return queue_length(storage[name]) end

-- Queues an item under `key` (nil = unique); an item already pending under the key is kept
-- (it is built when drained, so it will carry the newest state). Returns the pending item.
function emitter.enqueue(lane, key, item)
  if key then
    local existing = storage.pending[key]
    if existing then return existing end
  else
    storage.next_id = storage.next_id + 1
    key = "#" .. storage.next_id
  end
  storage.pending[key] = item
  push(storage[lane], key)
  return item
end

-- Drops the item pending under `key`, if any (its queue slot is skipped when drained).
function emitter.cancel(key)
  storage.pending[key] = nil
end

-- A ready-made payload (a Lua table, encoded when drained).
function emitter.send(lane, ptype, payload)
  emitter.enqueue(lane, nil, { kind = "ready", type = ptype, payload = payload })
end

function emitter.register_builder(kind, fn) builders[kind] = fn end
function emitter.set_local_steps(fn) local_steps = fn end

-- Open batches: buildings / removals / tiles / chunk deletions collected over a short window
-- (setting kafkatorio-batch-ticks) into one packet per surface and kind, flushed in creation order.
-- Only the newest open batch is extended, so packets keep the order of the events (a building
-- removed after it was built is never sent as removed before it is sent as built).
function emitter.batch(kind, si, tick, limit)
  local batches = storage.batches
  local b = batches[#batches]
  if b and b.kind == kind and b.si == si and b.count < limit and not b.full then return b end
  b = { kind = kind, si = si, created = tick, count = 0, data = {} }
  batches[#batches + 1] = b
  return b
end

local function flush_batches(tick, force)
  local batches = storage.batches
  if #batches == 0 then return end
  local window = setting("kafkatorio-batch-ticks")
  local keep = {}
  for i = 1, #batches do
    local b = batches[i]
    -- in creation order; once one must wait, all newer ones wait too (event order is kept)
    if #keep == 0 and (force or tick - b.created >= window or b.full) then
      if b.count > 0 then emitter.enqueue("hi", nil, { kind = "batch", batch = b }) end
    else
      keep[#keep + 1] = b
    end
  end
  storage.batches = keep
end

-- Encoding ------------------------------------------------------------------------------
function emitter.encode(payload)
  local text = helpers.table_to_json(payload)
  if #text >= setting("kafkatorio-compress-min-bytes") then
    local packed = helpers.encode_string(text)
    if packed and #packed + 1 < #text then return "~" .. packed end
  end
  return text
end

-- Bytes a line costs, independent of the (peer-local) sequence number; includes the newline.
-- (The width of the tick is computed once per tick: every packet of a tick asks for it.)
-- FIXED: the tag, the seq field's worst case, three spaces and the newline.
local width_tick, tick_width = nil, 0
local FIXED = #TAG + SEQ_WIDTH + 4
local function cost(ptype, tick, body)
  if tick ~= width_tick then width_tick, tick_width = tick, #tostring(tick) end
  return FIXED + #ptype + tick_width + #body
end
emitter.cost = cost

local function print_line(ptype, tick, body)
  local line = TAG .. ptype .. " " .. tick .. " " .. seq .. " " .. body
  seq = seq + 1
  stats.packets = stats.packets + 1
  stats.bytes = stats.bytes + #line + 1
  print(line)
end

-- Session (local lane) ------------------------------------------------------------------
-- on_init / on_configuration_changed: session_start only. on_load: session_start + resync.
function emitter.start_session(resync)
  seq = 0
  session.start_pending = true
  session.resync = resync and {} or nil
  session.lines, session.first = {}, 1
end

function emitter.cancel_resync() session.resync = nil end
function emitter.resync_active() return session.resync ~= nil or session.first <= #session.lines end

local function drain_local(tick)
  if session.start_pending then
    session.start_pending = false
    local body = helpers.table_to_json({
      mod_version = script.active_mods["kafkatorio"] or "0.0.0",
      game_version = script.active_mods["base"] or "2.0.0",
    })
    print_line("session_start", tick, body)
    return
  end
  if session.first > #session.lines then
    session.lines, session.first = {}, 1
    if not session.resync or not local_steps then return end
    local parts = local_steps(session.resync, tick)
    if not parts then session.resync = nil; return end
    session.lines = parts
  end
  local part = session.lines[session.first]
  if part and emitter.cost(part.type, tick, part.body) <= emitter.LOCAL_RESERVE then
    session.first = session.first + 1
    print_line(part.type, tick, part.body)
  elseif part then
    session.first = session.first + 1 -- cannot happen (lines are split below MAX_LINE); drop
  end
end

-- Storage lane ---------------------------------------------------------------------------
local LANES = { "hi", "lo" }
local NO_PARTS = {} -- (read only)

local function drain_storage(tick)
  local hi, lo = storage.hi, storage.lo
  if hi.first > hi.last and lo.first > lo.last then return end
  local packets_left = setting("kafkatorio-packets-per-tick") - 1
  local lane_bytes = setting("kafkatorio-bytes-per-tick") - emitter.LOCAL_RESERVE
  local bytes_left = lane_bytes
  local pending = storage.pending
  local max_line = emitter.MAX_LINE
  for l = 1, 2 do
    local queue = storage[LANES[l]]
    while packets_left > 0 and queue.first <= queue.last do
      local key = queue[queue.first]
      local item = pending[key]
      local parts = item and builders[item.kind](item, tick, true) or NO_PARTS
      local used = 0
      for i = 1, #parts do
        local part = parts[i]
        local c = cost(part.type, tick, part.body)
        if c > lane_bytes or c > max_line then
          -- Can never fit (not reachable with the settings' minimum and the split rule); dropped
          -- rather than printed over the budget or stalling the queue. The sweep re-sends state.
          stats.dropped = stats.dropped + 1
          part.type = nil
        elseif packets_left == 0 or c > bytes_left then break end
        if part.type then
          print_line(part.type, tick, part.body)
          packets_left = packets_left - 1
          bytes_left = bytes_left - c
        end
        used = i
      end
      if used < #parts then
        -- Keep the rest for the next tick: split parts carry their area, so only the areas not
        -- yet sent are rebuilt (each part is complete for its area).
        local rest = {}
        for i = used + 1, #parts do rest[#rest + 1] = parts[i].area end
        if parts[used + 1].area then item.areas = rest end
        return
      end
      queue[queue.first] = nil
      queue.first = queue.first + 1
      pending[key] = nil
    end
    if packets_left == 0 then return end
  end
end

-- Called from on_tick. Returns nothing; prints at most the configured budget.
function emitter.on_tick(tick)
  flush_batches(tick, false)
  drain_local(tick)
  drain_storage(tick)
end

function emitter.flush_all_batches(tick) flush_batches(tick, true) end

return emitter
