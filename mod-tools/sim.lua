--[[ The simulated game server: runs the real mod (../mod) on the Factorio API stand-in and writes
what a headless server's stdout holds -- engine log lines (`%8.3f <Level> <File.cpp:line>: ...`),
date-stamped console lines ([JOIN]/[LEAVE]/[CHAT]) and the mod's packet lines -- to a file (or
stdout) that LogPipe tails.

  lua5.2 mod-tools/sim.lua [--chunks N] [--players N] [--build-rate N] [--realtime|--fast]
                           [--out FILE] [--seed N] [--duration SECONDS] [--speed X] [--strict 1|0]
                           [--stations N] [--trains N] [--space-age|--no-space-age]

Every flag also reads an environment variable (SIM_CHUNKS, SIM_PLAYERS, SIM_BUILD_RATE,
SIM_REALTIME=1|0, SIM_OUT, SIM_SEED, SIM_DURATION, SIM_SPEED, SIM_STRICT, SIM_STATIONS, SIM_TRAINS,
SIM_SPACE_AGE=1|0). --strict 1 (the default) runs the mod on the strict stand-in
(factorio_stub/strict.lua), 0 on the plain objects. --duration is in game seconds (0 = run until
killed). --build-rate is buildings placed per player per game minute. --stations (8) train stops on
railway lines north of spawn, --trains (6) trains shuttling between them; --space-age (off by
default; `make run` turns it on) activates the expansion (script.active_mods["space-age"]) and
flies a platform between planets.
]]
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
package.path = dir .. "/?.lua;" .. dir .. "/factorio_stub/?.lua;" .. package.path
local Sim = require("simworld")

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

local o = {
  chunks = tonumber(env("SIM_CHUNKS", 64)), players = tonumber(env("SIM_PLAYERS", 4)),
  build_rate = tonumber(env("SIM_BUILD_RATE", 6)), realtime = env("SIM_REALTIME", "1") ~= "0",
  out = env("SIM_OUT", "-"), seed = tonumber(env("SIM_SEED", 1)), duration = tonumber(env("SIM_DURATION", 0)),
  speed = tonumber(env("SIM_SPEED", 1)), strict = tonumber(env("SIM_STRICT", 1)),
  stations = tonumber(env("SIM_STATIONS", 8)), trains = tonumber(env("SIM_TRAINS", 6)),
  space_age = env("SIM_SPACE_AGE", "0") ~= "0",
}
local i = 1
while i <= #arg do
  local a = arg[i]
  local function value()
    i = i + 1
    if arg[i] == nil then io.stderr:write("sim: " .. a .. " needs a value\n"); os.exit(2) end
    return arg[i]
  end
  local function number()
    local v = tonumber(value())
    if not v then io.stderr:write("sim: " .. a .. " needs a number\n"); os.exit(2) end
    return v
  end
  if a == "--chunks" then o.chunks = number()
  elseif a == "--players" then o.players = number()
  elseif a == "--build-rate" then o.build_rate = number()
  elseif a == "--realtime" then o.realtime = true
  elseif a == "--fast" then o.realtime = false
  elseif a == "--out" then o.out = value()
  elseif a == "--seed" then o.seed = number()
  elseif a == "--duration" then o.duration = number()
  elseif a == "--speed" then o.speed = number()
  elseif a == "--strict" then o.strict = number()
  elseif a == "--stations" then o.stations = number()
  elseif a == "--trains" then o.trains = number()
  elseif a == "--space-age" then o.space_age = true
  elseif a == "--no-space-age" then o.space_age = false
  elseif a == "-h" or a == "--help" then
    print((io.open(arg[0]):read("*a"):match("%-%-%[%[(.-)%]%]")))
    os.exit(0)
  else io.stderr:write("sim: unknown argument " .. a .. " (see --help)\n"); os.exit(2) end
  i = i + 1
end
if o.chunks < 4 or o.players < 0 or o.build_rate < 0 or o.speed <= 0 or o.stations < 0 or o.trains < 0 then
  io.stderr:write("sim: need --chunks >= 4, --players >= 0, --build-rate >= 0, --speed > 0, --stations >= 0, --trains >= 0\n"); os.exit(2)
end

local file = o.out == "-" and io.stdout or assert(io.open(o.out, "ab"))
local start_wall = os.time()
local out_buf, n_buf = {}, 0
local function emit(line) n_buf = n_buf + 1; out_buf[n_buf] = line end
local sim -- set below
-- Engine lines: seconds since start (wall in real time, game seconds when fast), right-aligned.
-- Seconds since start: the game clock (in real time it tracks the wall clock, 60 ticks a second).
local function secs() return 1.2 + (sim and sim.rt.tick or 0) / 60 / (o.realtime and o.speed or 1) end
local function engine(text) emit(string.format("%8.3f %s", secs(), text)) end
local function console(text)
  local t = start_wall + math.floor(secs())
  emit(os.date("%Y-%m-%d %H:%M:%S", t) .. " " .. text)
end
local function flush()
  if n_buf > 0 then
    file:write(table.concat(out_buf, "\n", 1, n_buf), "\n")
    file:flush()
    out_buf, n_buf = {}, 0
  end
end

emit(string.format("%8.3f %s; Factorio 2.0.77 (build 83214, linux64, headless)", 0, os.date("%Y-%m-%d %H:%M:%S", start_wall)))
emit(string.format("%8.3f Operating system: Linux (Kafkatorio simulated server, seed %d)", 0.001, o.seed))
emit(string.format("%8.3f Program arguments: \"/opt/factorio/bin/x64/factorio\" \"--start-server-load-latest\" \"--server-settings\" \"/factorio/config/server-settings.json\"", 0.002))
emit(string.format("%8.3f Info ModManager.cpp:256: Loading mod core 2.0.77 (data.lua)", 0.081))
emit(string.format("%8.3f Info ModManager.cpp:256: Loading mod base 2.0.77 (data.lua)", 0.134))
emit(string.format("%8.3f Info ModManager.cpp:256: Loading mod kafkatorio 0.1.0 (settings.lua)", 0.402))
emit(string.format("%8.3f Info ModManager.cpp:256: Loading mod kafkatorio 0.1.0 (control.lua)", 0.944))
flush()

sim = Sim.new({ seed = o.seed, players = o.players, build_rate = o.build_rate, world_chunks = o.chunks, noisy = true,
  out = emit, console = console, join_spread = 60 * 20, strict = o.strict ~= 0, stations = o.stations, trains = o.trains,
  space_age = o.space_age })
engine(string.format("Info ServerMultiplayerManager.cpp:699: updateTick(%d) changing state from(CreatingGame) to(InGame)", sim.rt.tick))
engine("Hosting game at IP ADDR:({0.0.0.0:34197})")
flush()

local total = o.duration > 0 and math.floor(o.duration * 60) or math.huge
local batch = 10 -- ticks per write in real time (6 writes per game second)
local saves = 0
local ticks_done = 0
local wall_start = os.time()
local cpu_start = os.clock()
while ticks_done < total do
  local n = math.min(batch, total - ticks_done)
  local c0 = os.clock()
  sim:run(n)
  ticks_done = ticks_done + n
  if sim.rt.tick % (5 * 3600) < n and sim.rt.tick > n then
    saves = saves % 3 + 1
    engine(string.format("Info AppManager.cpp:287: Saving to _autosave%d (blocking).", saves))
    engine("Info AppManagerStates.cpp:1802: Saving finished")
  end
  flush()
  if o.realtime then
    -- Pace to 60 ticks per second (times --speed): sleep off what the batch did not use.
    local due = n / 60 / o.speed - (os.clock() - c0)
    if due > 0.005 then os.execute(string.format("sleep %.3f", due)) end
  end
end
engine("Info ServerMultiplayerManager.cpp:142: Quitting multiplayer connection.")
engine("Goodbye")
flush()
if file ~= io.stdout then file:close() end
local s = sim.stats
io.stderr:write(string.format("sim: %d ticks, %d packets, %d bytes of packets; %d built, %d mined, %d died, %d destroyed, %d tiles, %d chats (%.1f s cpu, %d s wall)\n",
  ticks_done, sim.rt.env.require("scripts.emitter").stats().packets, sim.rt.env.require("scripts.emitter").stats().bytes,
  s.built, s.mined, s.died, s.silent, s.tiles, s.chats, os.clock() - cpu_start, os.difftime(os.time(), wall_start)))
