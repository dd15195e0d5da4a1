-- Players: full state at join and leave, position (throttled per player, setting
-- kafkatorio-player-throttle-ticks), surface change, died/respawned, and colour, name and afk
-- (checked every second, since 2.0 raises no event for them).
local util = require("scripts.util")
local emitter = require("scripts.emitter")
local config = require("scripts.config")

local players = {}

local cfg = config.values -- the runtime-global settings (cached: scripts/config.lua)

-- A lower bound on the last-sent tick of every player in storage.players.dirty (-1/0 for one
-- never sent), or nil when unknown. While tick - throttle is below it, no dirty player is due and
-- the tick's scan of the list (which would then keep every entry where it is) is skipped. Peer-local
-- and derived from storage: nil after loading (the next scan sets it) and in init_storage; a
-- player's last-sent tick only grows, so the bound never gets too high.
local min_sent = nil

function players.init_storage()
  storage.players = storage.players or { last = {}, dirty = {}, queued = {}, sig = {} }
  min_sent = nil
end

function players.payload(p)
  local pos = p.physical_position or p.position
  local surface = p.physical_surface or p.surface
  local afk = p.afk_time >= cfg["kafkatorio-afk-minutes"] * 3600
  return {
    index = p.index, name = p.name, surface = surface.name, x = pos.x, y = pos.y,
    color = util.color(p.color) or { 1, 1, 1, 1 }, online = p.connected, afk = afk,
  }
end

local function signature(p)
  local c = p.color
  return p.name .. "|" .. c.r .. "|" .. c.g .. "|" .. c.b .. "|" .. (c.a or 1) .. "|" ..
      (p.afk_time >= cfg["kafkatorio-afk-minutes"] * 3600 and "true" or "false") .. "|" ..
      (p.connected and "true" or "false")
end

function players.build(item, tick)
  local p = game.get_player(item.index)
  if not (p and p.valid) then return {} end
  storage.players.last[item.index] = tick
  storage.players.sig[item.index] = signature(p)
  return { { type = "player", body = emitter.encode(players.payload(p)) } }
end

-- Queues the player's state now (events that must not wait: join, leave, surface, death).
function players.now(index)
  emitter.enqueue("hi", "p:" .. index, { kind = "player", index = index })
end

-- Marks the player for a throttled update.
function players.dirty(index)
  local s = storage.players
  if not s.queued[index] then
    s.queued[index] = true
    s.dirty[#s.dirty + 1] = index
    if min_sent then
      local sent = s.last[index] or -1 / 0
      if sent < min_sent then min_sent = sent end
    end
  end
end

function players.on_changed_position(event) players.dirty(event.player_index) end
function players.on_now(event) players.now(event.player_index) end

function players.on_tick(tick)
  local s = storage.players
  local throttle = cfg["kafkatorio-player-throttle-ticks"]
  local due = tick - throttle -- due: sent at most tick - throttle (or never)
  if #s.dirty > 0 and not (min_sent and due < min_sent) then
    -- compacted in place (the ones still throttled keep their order), no list per tick
    local dirty, last, kept, low = s.dirty, s.last, 0, 1 / 0
    local n = #dirty
    for i = 1, n do
      local index = dirty[i]
      local sent = last[index]
      if not sent or sent <= due then
        players.now(index)
        s.queued[index] = nil
      else
        kept = kept + 1
        dirty[kept] = index
        if sent < low then low = sent end
      end
    end
    for i = n, kept + 1, -1 do dirty[i] = nil end
    min_sent = low
  end
  if tick % 60 == 0 then
    for _, p in ipairs(game.connected_players) do
      if s.sig[p.index] ~= signature(p) then players.dirty(p.index) end
    end
  end
end

-- All players (init, configuration change) in index order.
function players.queue_all()
  for _, p in ipairs(players.sorted()) do players.now(p.index) end
end

function players.sorted()
  local list = {}
  for _, p in pairs(game.players) do list[#list + 1] = p end
  table.sort(list, function(a, b) return a.index < b.index end)
  return list
end

return players
