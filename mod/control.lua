--[[ Kafkatorio: prints the live map state of this server as KAFKATORIO/1 packet lines on
stdout (docs/packets.md). Read-only towards the game: it changes nothing but its own `storage`
(and registrations with script.register_on_object_destroyed).

Multiplayer safety:
* every handler is registered at the top level of this file, identically on every peer;
  on_load does nothing but start a local (printing-only) session;
* `storage` is written only by event handlers, which every peer runs identically;
* no os/io, no math.random, no wall clock;
* `pairs` is used only to collect names or objects that are then sorted (prototypes, surfaces,
  players), never to decide an order that ends up in `storage`;
* the only peer-local state is the printing session in scripts/emitter.lua (sequence number,
  session_start and the post-load resync), which never writes `storage`, and caches derived
  from settings (scripts/config.lua: emptied in on_init, on_load, on_configuration_changed and
  on_runtime_mod_setting_changed) and prototypes, identical on every peer.
]]
local config = require("scripts.config")
local emitter = require("scripts.emitter")
local chunks = require("scripts.chunks")
local terrain = require("scripts.terrain")
local buildings = require("scripts.buildings")
local players = require("scripts.players")
local surfaces = require("scripts.surfaces")
local protos = require("scripts.prototypes")
local chat = require("scripts.chat")
local tags = require("scripts.tags")
local stations = require("scripts.stations")
local trains = require("scripts.trains")
local platforms = require("scripts.platforms")

local function surface_name(si)
  local s = game.get_surface(si)
  return (s and s.valid and s.name) or storage.surface_names[si]
end

emitter.register_builder("ready", function(item)
  return { { type = item.type, body = emitter.encode(item.payload) } }
end)
emitter.register_builder("chunk", chunks.build)
emitter.register_builder("player", players.build)
emitter.register_builder("surface", surfaces.build)
emitter.register_builder("tags", tags.build)
emitter.register_builder("stop", stations.build)
emitter.register_builder("train", trains.build)
emitter.register_builder("platform", platforms.build)
local batch_payloads = {
  buildings = { "buildings", buildings.batch_payload },
  removed = { "building_removed", buildings.removed_payload },
  tiles = { "tiles", terrain.tiles_payload },
  chunk_deleted = { "chunk_deleted", terrain.chunk_deleted_payload },
}
emitter.register_builder("batch", function(item)
  local b = item.batch
  local name = surface_name(b.si)
  if not name then return {} end
  local spec = batch_payloads[b.kind]
  return { { type = spec[1], body = emitter.encode(spec[2](name, b)) } }
end)

local function sorted_forces()
  local forces = {}
  for _, f in pairs(game.forces) do forces[#forces + 1] = f end
  table.sort(forces, function(a, b) return a.index < b.index end)
  return forces
end

-- Post-load resync (local lane, read-only): surfaces, players, the factory (tags, stops, trains,
-- platforms), then every charted chunk.
emitter.set_local_steps(function(state, tick)
  if not state.phase then
    state.phase = "surfaces"
    local parts = {}
    for _, s in ipairs(surfaces.sorted()) do
      parts[#parts + 1] = { type = "surface", body = emitter.encode(surfaces.payload(s)) }
    end
    return parts
  end
  if state.phase == "surfaces" then
    state.phase = "factory"
    local parts = {}
    for _, p in ipairs(players.sorted()) do
      parts[#parts + 1] = { type = "player", body = emitter.encode(players.payload(p)) }
    end
    return parts
  end
  if state.phase == "factory" then
    state.phase = "chunks"
    local parts = tags.resync_parts(sorted_forces(), surfaces.sorted(), tick)
    for _, list in ipairs({ stations.resync_parts(tick), trains.resync_parts(tick), platforms.resync_parts(tick) }) do
      for _, p in ipairs(list) do parts[#parts + 1] = p end
    end
    if #parts > 0 then return parts end
  end
  return chunks.resync_step(state, tick)
end)

local function init_storage()
  emitter.init_storage()
  chunks.init_storage()
  players.init_storage()
  surfaces.init_storage()
  tags.init_storage()
  stations.init_storage()
  trains.init_storage()
  platforms.init_storage()
  storage.units = storage.units or {}
end

-- The factory's full sync (init, configuration change: hi lane; the refresh: lo lane).
local function factory_sync(lane)
  tags.queue_all(lane, sorted_forces(), surfaces.sorted())
  stations.queue_all(lane)
  trains.queue_all(lane)
  platforms.queue_all(lane)
end

-- Everything the map needs, queued on the storage lane: prototypes, surfaces, players and every
-- chunk charted by any force.
local function snapshot()
  protos.queue()
  surfaces.queue_all()
  players.queue_all()
  factory_sync("hi")
  local forces = sorted_forces()
  for _, s in ipairs(surfaces.sorted()) do
    local list = {}
    for chunk in s.get_chunks() do list[#list + 1] = chunk end
    table.sort(list, function(a, b) if a.y ~= b.y then return a.y < b.y end return a.x < b.x end)
    for _, chunk in ipairs(list) do
      for _, f in ipairs(forces) do
        if f.is_chunk_charted(s, { chunk.x, chunk.y }) then
          if not chunks.known(s.index, chunk.x, chunk.y) then
            chunks.charted(s.index, chunk.x, chunk.y, game.tick)
          else
            chunks.queue(s.index, chunk.x, chunk.y, false)
          end
          break
        end
      end
    end
  end
end

script.on_init(function()
  config.invalidate()
  init_storage()
  emitter.start_session(false)
  snapshot()
end)

script.on_load(function()
  config.invalidate()
  emitter.start_session(true)
end)

script.on_configuration_changed(function()
  config.invalidate()
  init_storage()
  emitter.start_session(false) -- the storage-lane snapshot below replaces the local resync
  snapshot()
end)

local ev = defines.events
local cfg = config.values

-- Runtime-global settings changed (GUI or script): the cached values are dropped at once.
script.on_event(ev.on_runtime_mod_setting_changed, config.on_setting_changed)

script.on_event(ev.on_tick, function(event)
  local tick = event.tick
  players.on_tick(tick)
  chunks.on_tick(tick)
  surfaces.on_tick(tick)
  trains.on_tick(tick)
  platforms.on_tick(tick)
  local refresh = cfg["kafkatorio-live-refresh-ticks"]
  if refresh > 0 and tick > 0 and tick % refresh == 0 then
    tags.queue_all("lo", sorted_forces(), surfaces.sorted())
    stations.queue_all("lo")
  end
  emitter.on_tick(tick)
end)

-- Terrain and chunks
script.on_event(ev.on_chunk_charted, chunks.on_charted)
script.on_event(ev.on_chunk_deleted, chunks.on_deleted)
script.on_event({ ev.on_player_built_tile, ev.on_robot_built_tile, ev.on_space_platform_built_tile }, terrain.on_built_tile)
script.on_event({ ev.on_player_mined_tile, ev.on_robot_mined_tile, ev.on_space_platform_mined_tile }, terrain.on_mined_tile)
script.on_event(ev.script_raised_set_tiles, terrain.on_set_tiles)

-- Buildings (and train stops, which are buildings with a live label)
script.on_event({ ev.on_built_entity, ev.on_robot_built_entity, ev.on_space_platform_built_entity,
  ev.script_raised_built, ev.script_raised_revive }, function(event)
  buildings.on_built(event)
  stations.changed(event.entity)
end)
script.on_event({ ev.on_player_rotated_entity, ev.on_player_flipped_entity }, function(event)
  buildings.on_changed(event)
  stations.changed(event.entity)
end)
script.on_event(ev.on_entity_cloned, function(event)
  buildings.on_cloned(event)
  stations.changed(event.destination)
end)
script.on_event({ ev.on_player_mined_entity, ev.on_robot_mined_entity, ev.on_space_platform_mined_entity,
  ev.on_entity_died, ev.script_raised_destroy }, function(event)
  stations.on_removed(event)
  buildings.on_removed(event)
end)
script.on_event(ev.on_object_destroyed, function(event)
  stations.on_object_destroyed(event)
  buildings.on_object_destroyed(event)
  trains.on_object_destroyed(event)
  platforms.on_object_destroyed(event)
end)
script.on_event(ev.on_entity_renamed, stations.on_renamed)

-- Chart tags, trains, space platforms
script.on_event({ ev.on_chart_tag_added, ev.on_chart_tag_modified }, tags.on_changed)
script.on_event(ev.on_chart_tag_removed, tags.on_removed)
script.on_event({ ev.on_train_created, ev.on_train_changed_state }, trains.on_event)
script.on_event(ev.on_space_platform_changed_state, platforms.on_changed_state)

-- Resources
script.on_event(ev.on_resource_depleted, chunks.on_resource_depleted)

-- Players
script.on_event(ev.on_player_changed_position, players.on_changed_position)
script.on_event({ ev.on_player_joined_game, ev.on_player_left_game, ev.on_player_changed_surface,
  ev.on_player_died, ev.on_player_respawned }, players.on_now)

-- Surfaces
script.on_event(ev.on_surface_created, surfaces.on_created)
script.on_event(ev.on_pre_surface_deleted, surfaces.on_pre_deleted)
script.on_event(ev.on_surface_deleted, surfaces.on_deleted)
script.on_event(ev.on_surface_renamed, surfaces.on_renamed)
script.on_event(ev.on_surface_cleared, surfaces.on_cleared)

-- Chat
script.on_event(ev.on_console_chat, chat.on_console_chat)
