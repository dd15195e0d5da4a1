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
local config = require("scripts.config")

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
-- What this peer printed (sim.lua reports it): kept in upvalues, a table only when asked for.
local n_packets, n_bytes, n_dropped = 0, 0, 0

function emitter.stats() return { packets = n_packets, bytes = n_bytes, dropped = n_dropped } end

local cfg = config.values -- the runtime-global settings (cached: scripts/config.lua)

-- Storage -------------------------------------------------------------------------------
function emitter.init_storage()
  storage.hi = storage.hi or { first = 1, last = 0 }
  storage.lo = storage.lo or { first = 1, last = 0 }
  storage.pending = storage.pending or {}
  storage.next_id = storage.next_id or 0
  storage.batches = storage.batches or {}
end

local function queue_length(queue) return queue.last - queue.first + 1 end
emitter.queue_length = function(name) return queue_length(storage[name]) end

-- Queues an item under `key` (nil = unique); an item already pending under the key is kept
-- (it is built when drained, so it will carry the newest state). Returns the pending item.
function emitter.enqueue(lane, key, item)
  local pending = storage.pending
  if key then
    local existing = pending[key]
    if existing then return existing end
  else
    local id = storage.next_id + 1
    storage.next_id = id
    key = "#" .. id
  end
  pending[key] = item
  local queue = storage[lane]
  local last = queue.last + 1
  queue.last = last
  queue[last] = key
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
  local n = #batches
  if n == 0 then return end
  local window = cfg["kafkatorio-batch-ticks"]
  -- in creation order; once one must wait, all newer ones wait too (event order is kept)
  local flushed = 0
  while flushed < n do
    local b = batches[flushed + 1]
    if not (force or tick - b.created >= window or b.full) then break end
    flushed = flushed + 1
    if b.count > 0 then emitter.enqueue("hi", nil, { kind = "batch", batch = b }) end
  end
  if flushed == 0 then return end -- (no new list while every batch still waits)
  local keep = {}
  for i = flushed + 1, n do keep[i - flushed] = batches[i] end
  storage.batches = keep
end

-- Encoding ------------------------------------------------------------------------------
function emitter.encode(payload)
  local text = helpers.table_to_json(payload)
  if #text >= cfg["kafkatorio-compress-min-bytes"] then
    local packed = helpers.encode_string(text)
    if packed and #packed + 1 < #text then return "~" .. packed end
  end
  return text
end

-- Bytes a line costs, independent of the (peer-local) sequence number; includes the newline.
-- (The tick's text and width are computed once per tick: every packet of a tick asks for them.)
-- FIXED: the tag, the seq field's worst case, three spaces and the newline.
local width_tick, tick_text, tick_width = nil, "", 0
local FIXED = #TAG + SEQ_WIDTH + 4
local function set_tick(tick)
  width_tick, tick_text = tick, tostring(tick)
  tick_width = #tick_text
end
local function cost(ptype, tick, body)
  if tick ~= width_tick then set_tick(tick) end
  return FIXED + #ptype + tick_width + #body
end
emitter.cost = cost

-- (tick_text is the tick's: every caller has asked for the cost of the line first)
local function print_line(ptype, body)
  local line = TAG .. ptype .. " " .. tick_text .. " " .. seq .. " " .. body
  seq = seq + 1
  n_packets = n_packets + 1
  n_bytes = n_bytes + #line + 1
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

local NO_LINES = {} -- (read only)

local function drain_local(tick)
  if session.start_pending then
    session.start_pending = false
    local body = helpers.table_to_json({
      mod_version = script.active_mods["kafkatorio"] or "0.0.0",
      game_version = script.active_mods["base"] or "2.0.0",
    })
    if tick ~= width_tick then set_tick(tick) end
    print_line("session_start", body)
    return
  end
  if session.first > #session.lines then
    if not (session.resync and local_steps) then
      -- idle (every tick but those of a resync): no new list
      if session.first ~= 1 then session.lines, session.first = NO_LINES, 1 end
      return
    end
    session.lines, session.first = NO_LINES, 1
    local parts = local_steps(session.resync, tick)
    if not parts then session.resync = nil; return end
    session.lines = parts
  end
  local part = session.lines[session.first]
  if part and cost(part.type, tick, part.body) <= emitter.LOCAL_RESERVE then
    session.first = session.first + 1
    print_line(part.type, part.body)
  elseif part then
    session.first = session.first + 1 -- cannot happen (lines are split below MAX_LINE); drop
  end
end

-- Storage lane ---------------------------------------------------------------------------
local NO_PARTS = {} -- (read only)

local function drain_storage(tick)
  local hi, lo = storage.hi, storage.lo
  if hi.first > hi.last and lo.first > lo.last then return end
  local packets_left = cfg["kafkatorio-packets-per-tick"] - 1
  local lane_bytes = cfg["kafkatorio-bytes-per-tick"] - emitter.LOCAL_RESERVE
  local bytes_left = lane_bytes
  -- a line longer than this can never be printed (the lane's whole budget, or MAX_LINE)
  local never = lane_bytes < emitter.MAX_LINE and lane_bytes or emitter.MAX_LINE
  local pending = storage.pending
  if tick ~= width_tick then set_tick(tick) end
  local fixed = FIXED + tick_width -- cost(ptype, tick, body) == fixed + #ptype + #body
  for l = 1, 2 do
    local queue = l == 1 and hi or lo
    local first = queue.first -- (builders may queue more, so queue.last is read each time)
    while packets_left > 0 and first <= queue.last do
      local key = queue[first]
      local item = pending[key]
      local parts = item and builders[item.kind](item, tick, true) or NO_PARTS
      local n, used = #parts, 0
      for i = 1, n do
        local part = parts[i]
        local ptype, body = part.type, part.body
        local c = fixed + #ptype + #body
        if c > never then
          -- Can never fit (not reachable with the settings' minimum and the split rule); dropped
          -- rather than printed over the budget or stalling the queue. The sweep re-sends state.
          n_dropped = n_dropped + 1
        elseif packets_left == 0 or c > bytes_left then
          break
        else
          print_line(ptype, body)
          packets_left = packets_left - 1
          bytes_left = bytes_left - c
        end
        used = i
      end
      if used < n then
        -- Keep the rest for the next tick: split parts carry their area, so only the areas not
        -- yet sent are rebuilt (each part is complete for its area).
        queue.first = first
        local rest = {}
        for i = used + 1, n do rest[#rest + 1] = parts[i].area end
        if parts[used + 1].area then item.areas = rest end
        return
      end
      queue[first] = nil
      first = first + 1
      pending[key] = nil
    end
    queue.first = first
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
