--[[ A stand-in of the Factorio 2.0 runtime that runs a mod's real control.lua.

One Runtime is one game: surfaces with generated terrain, ore and enemy bases (worldgen.lua),
forces with charting, entities with unit numbers, players, and the mod's Lua state (its own
environment with game, script, helpers, prototypes, settings, defines, storage, print, log —
and no os, io, load or debug, as in the game). Events are dispatched as the game does:
on_init / on_load (game is nil there; storage must not be written) / on_configuration_changed,
on_tick and on_nth_tick each tick, the event table with `name` and `tick`, and
on_object_destroyed at the end of the tick in which a registered object was destroyed.
]]
local json = require("json")
local zlib = require("zlib")
local defines = require("defines")
local protodata = require("protodata")
local worldgen = require("worldgen")
local savedata = require("savedata")
local strict = require("strict")

local Runtime = {}
Runtime.__index = Runtime

local function script_dir()
  local src = debug.getinfo(1, "S").source:sub(2)
  return src:match("^(.*)/[^/]*$") or "."
end
local ROOT = script_dir() .. "/../.."
Runtime.ROOT = ROOT

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
Runtime.read = read

local function settings_defaults(mod_dir)
  local defaults = {}
  local env = { data = { extend = function(_, list) for _, s in ipairs(list) do defaults[s.name] = s end end },
    ipairs = ipairs, pairs = pairs, math = math, string = string, table = table }
  local chunk = assert(loadfile(mod_dir .. "/settings.lua", "t", env))
  chunk()
  return defaults
end

--[[ opts: seed, mod_dir, prototypes (path), settings (name -> value overrides),
  out (function(line)), world_chunks (surface size in chunks per side; 0 = unlimited),
  game_version, strict (default true: the mod sees the stand-in through strict.lua; false gives
  it the plain objects, as `make bench-mod` does) ]]
function Runtime.new(opts)
  opts = opts or {}
  local self = setmetatable({}, Runtime)
  self.seed = opts.seed or 1
  self.mod_dir = opts.mod_dir or (ROOT .. "/mod")
  self.out = opts.out or print
  self.strict = opts.strict ~= false
  self.tick = 0
  self.world_chunks = opts.world_chunks or 0
  self.protos = protodata.load(opts.prototypes or (ROOT .. "/Tests/Fixtures/prototypes-2.0.json"))
  self.game_version = opts.game_version or self.protos.version or "2.0.77"
  self.info = json.decode(read(self.mod_dir .. "/info.json"))
  self.next_unit = 1
  self.next_registration = 1
  self.registrations = {}       -- "type:useful_id" -> registration number
  self.destroyed_pending = {}   -- list of on_object_destroyed events for the end of the tick
  self.surfaces, self.surfaces_by_name, self.next_surface = {}, {}, 1
  self.forces, self.forces_by_name = {}, {}
  self.players, self.players_by_name = {}, {}
  self.handler_time, self.handler_calls, self.handler_worst = 0, 0, 0
  self.tick_time, self.tick_worst, self.ticks_measured = 0, 0, 0
  -- settings
  self.setting_specs = settings_defaults(self.mod_dir)
  self.settings = strict.object("LuaSettings", { global = strict.custom_table({}), startup = strict.custom_table({}),
    player_default = strict.custom_table({}) })
  for name, spec in pairs(self.setting_specs) do
    local v = spec.default_value
    if opts.settings and opts.settings[name] ~= nil then v = opts.settings[name] end
    self.settings.global[name] = { value = v }
  end
  for _, name in ipairs({ "player", "enemy", "neutral" }) do self:create_force(name) end
  self:create_surface("nauvis", { planet = "nauvis" })
  self:build_api()
  return self
end

-- Forces, surfaces, entities and players: runtime_world.lua.
require("runtime_world")(Runtime)

-- The API objects seen by the mod ----------------------------------------------------------
function Runtime:build_api()
  local rt = self
  local game = strict.object("LuaGameScript", setmetatable({}, { __index = function(_, k)
    if k == "tick" then return rt.tick end
    if k == "connected_players" then return rt:connected_players() end
  end }))
  game.players = strict.custom_table(setmetatable({}, { __index = function(_, k) return rt.players[k] or rt.players_by_name[k] end,
    __pairs = function() return next, rt.players, nil end, __len = function() return #rt.players end }))
  game.surfaces = strict.custom_table(setmetatable({}, { __index = function(_, k) return rt:surface_of(k) end,
    __pairs = function() return next, rt.surfaces_by_name, nil end }))
  game.forces = strict.custom_table(setmetatable({}, { __index = function(_, k) return rt.forces_by_name[k] or rt.forces[k] end,
    __pairs = function() return next, rt.forces_by_name, nil end }))
  game.get_player = function(k) return rt.players[k] or rt.players_by_name[k] end
  game.get_surface = function(k) return rt:surface_of(k) end
  game.print = function() end
  self.game = game

  self.script = strict.object("LuaBootstrap", {
    mod_name = self.info.name,
    active_mods = { base = self.game_version, core = self.game_version, [self.info.name] = self.info.version },
    on_init = function(f) rt.on_init_handler = f end,
    on_load = function(f) rt.on_load_handler = f end,
    on_configuration_changed = function(f) rt.on_config_handler = f end,
    on_event = function(ids, f)
      if type(ids) ~= "table" then ids = { ids } end
      for _, id in ipairs(ids) do
        assert(defines.event_names[id], "on_event: unknown event id " .. tostring(id))
        rt.handlers[id] = f
      end
    end,
    on_nth_tick = function(n, f)
      if n == nil then rt.nth = {} return end
      rt.nth[n] = f
    end,
    register_on_object_destroyed = function(obj)
      assert(type(obj) == "table" and obj.valid, "register_on_object_destroyed: invalid object")
      return rt:register_target(obj)
    end,
    raise_event = function(id, data) rt:raise(defines.event_names[id], data) end,
  })

  self.helpers = strict.object("LuaHelpers", {
    table_to_json = json.encode,
    json_to_table = function(s) local ok, v = pcall(json.decode, s) if ok then return v end return nil end,
    encode_string = function(s)
      local ok, v = pcall(function() return zlib.base64_encode(zlib.compress(s)) end)
      if ok then return v end
      return nil
    end,
    decode_string = function(s)
      local ok, v = pcall(function() return zlib.decompress(assert(zlib.base64_decode(s))) end)
      if ok then return v end
      return nil
    end,
    write_file = function() end,
  })
  self.prototypes = strict.object("LuaPrototypes", { tile = strict.custom_table(self.protos.tile),
    entity = strict.custom_table(self.protos.entity) })
  -- Globals the game has and the mod does not use: any use errors ("stand-in does not implement").
  self.unused_globals = {}
  for _, name in ipairs({ "rendering", "remote", "commands", "rcon" }) do
    self.unused_globals[name] = strict.object(strict.global_class(name), {})
  end
  require("factory").install(self) -- trains, train stops, chart tags, space platforms (factory.lua)
end

-- The mod's Lua state ------------------------------------------------------------------------
local SAFE = { "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen", "rawset",
  "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "unpack", "xpcall", "_VERSION" }

-- Loads control.lua in a fresh environment (as the game does on every start and load).
function Runtime:load_mod()
  local rt = self
  self.handlers, self.nth = {}, {}
  self.on_init_handler, self.on_load_handler, self.on_config_handler = nil, nil, nil
  local env = {}
  for _, k in ipairs(SAFE) do env[k] = _G[k] end
  env.string = setmetatable({}, { __index = string })
  env.table = setmetatable({}, { __index = table })
  env.math = {}
  for k, v in pairs(math) do if k ~= "random" and k ~= "randomseed" then env.math[k] = v end end
  env.bit32 = bit32
  env.defines = defines.for_mod
  env.script, env.helpers, env.prototypes, env.settings = self:to_mod(self.script), self:to_mod(self.helpers),
    self:to_mod(self.prototypes), self:to_mod(self.settings)
  for name, obj in pairs(self.unused_globals) do env[name] = self:to_mod(obj) end
  env.game = nil -- not accessible while control.lua runs nor in on_load
  env.print = function(s) rt.out(tostring(s)) end
  env.localised_print = env.print
  env.log = function() end
  env._G = env
  local loaded = {}
  env.require = function(name)
    if loaded[name] ~= nil then return loaded[name] end
    local path = rt.mod_dir .. "/" .. name:gsub("%.", "/") .. ".lua"
    local chunk = assert(loadfile(path, "t", env))
    local v = chunk()
    if v == nil then v = true end
    loaded[name] = v
    return v
  end
  self.env = env
  local chunk = assert(loadfile(self.mod_dir .. "/control.lua", "t", env))
  chunk()
end

-- A new game with the mod: control.lua, then on_init.
function Runtime:start()
  self:load_mod()
  self.env.storage = {}
  self.env.game = self:to_mod(self.game)
  if self.on_init_handler then self:measure(self.on_init_handler) end
end

-- What the mod sees of a stand-in value: a strict proxy (strict.lua), or the value itself.
function Runtime:to_mod(v)
  if self.strict then return strict.export(v) end
  return v
end

-- A ConfigurationChangedData with every field the game fills (`changed` may give some).
local function configuration_changed_data(changed)
  return { mod_changes = changed.mod_changes or {}, migrations = changed.migrations or {},
    mod_startup_settings_changed = changed.mod_startup_settings_changed or false,
    migration_applied = changed.migration_applied or false,
    old_version = changed.old_version, new_version = changed.new_version }
end

-- The mod added to a game that ran without it (`world` made it, e.g. surfaces and charted
-- chunks): control.lua, on_init, then on_configuration_changed with the mod in mod_changes,
-- as the game does.
function Runtime:add_to_existing_save()
  self:start()
  if self.on_config_handler then
    self:measure(self.on_config_handler, self:config_payload({
      mod_changes = { [self.info.name] = { new_version = self.info.version } } }))
  end
end

function Runtime:config_payload(changed)
  local data = configuration_changed_data(changed)
  if self.strict then return strict.convert(data, "ConfigurationChangedData", "on_configuration_changed") end
  return data
end

-- Saves (the part of a save that belongs to the mod: its storage) and loads it again in a new
-- Lua state: control.lua, storage restored, on_load (with game nil, storage checked unchanged),
-- then on_configuration_changed when `changed` is given.
function Runtime:save()
  return savedata.deepcopy(self.env.storage)
end

function Runtime:load(saved, changed)
  self:load_mod()
  self.env.storage = savedata.deepcopy(saved)
  local before = savedata.canonical(self.env.storage)
  if self.on_load_handler then self:measure(self.on_load_handler) end
  if savedata.canonical(self.env.storage) ~= before then
    error("on_load wrote storage (that desyncs multiplayer)", 0)
  end
  self.env.game = self:to_mod(self.game)
  if changed and self.on_config_handler then
    self:measure(self.on_config_handler, self:config_payload(changed))
  end
end

function Runtime:measure(f, arg)
  local t0 = os.clock()
  f(arg)
  local dt = os.clock() - t0
  self.handler_time = self.handler_time + dt
  self.handler_calls = self.handler_calls + 1
  self.tick_accum = (self.tick_accum or 0) + dt
  if dt > self.handler_worst then self.handler_worst = dt end
end

function Runtime:raise(name, data)
  local id = defines.events[name]
  assert(id, "raise: unknown event " .. tostring(name))
  local f = self.handlers and self.handlers[id]
  data = data or {}
  data.name = id
  data.tick = self.tick
  -- checked against the API even when the mod has no handler (the stand-in must be right)
  if self.strict then data = strict.event(name, data) end
  if not f then return end
  self:measure(f, data)
end

-- Runs one tick: on_tick, on_nth_tick, then `world` (a function doing this tick's game
-- simulation, raising events), then on_object_destroyed for what was destroyed, then tick + 1.
function Runtime:step(world)
  self.tick_accum = 0
  self:raise("on_tick", {})
  for n, f in pairs(self.nth) do
    if self.tick % n == 0 then
      local data = { tick = self.tick, nth_tick = n }
      if self.strict then data = strict.convert(data, "NthTickEventData", "on_nth_tick") end
      self:measure(f, data)
    end
  end
  if world then world(self) end
  local pending = self.destroyed_pending
  if #pending > 0 then
    self.destroyed_pending = {}
    for _, ev in ipairs(pending) do self:raise("on_object_destroyed", ev) end
  end
  self.tick_time = self.tick_time + self.tick_accum
  if self.tick_accum > self.tick_worst then self.tick_worst = self.tick_accum end
  self.ticks_measured = self.ticks_measured + 1
  self.tick = self.tick + 1
end

return Runtime
