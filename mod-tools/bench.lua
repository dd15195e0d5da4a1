--[[ `make bench-mod`: the mod's cost per tick and its stdout rate on a simulated server.

  lua5.2 mod-tools/bench.lua [--chunks 100] [--players 20] [--build-rate 6] [--seconds 180] [--seed 1] [--strict 0] [--profile 0|1]
                             [--stations 100] [--trains 200] [--space-age 0|1] [--steady-seconds 60] [--count 1]

Two phases, reported separately:
* charting (--seconds): the players walk and explore, so new chunks are charted all the time
  (the world never finishes charting while they do): terrain, resources and buildings scans and
  their encoding run next to the trains, stations, builds, chat and the anti-entropy sweep;
* steady (--steady-seconds): the players stop exploring (they keep building, mining, paving and
  chatting; radars keep re-charting), the snapshots still queued are drained first (not
  measured), then the ticks with everything charted and the 200 trains / 100 stations running.
  This is the load issue 15's goal (average < 0.1 ms of the mod's own Lua) is stated against.

Times (os.clock) every mod handler the stand-in calls (on_tick and all events) and sums them per
tick; reports the average and worst tick, the 99th percentile, and the mod's stdout bytes and
packets per game second. helpers.table_to_json and helpers.encode_string are native C++ in the
game but Lua here, as are the surface queries, so their share is reported separately and
subtracted in "Lua only". --count 1 (default) also counts the Lua VM instructions the mod's own
code runs (a count hook every 1000 instructions inside the handlers, outside the natives): a
figure that does not depend on the machine's load (the hook costs a few per cent of the times).
Garbage collection runs between ticks (the stand-in's world shares the VM; in the game it is C++
memory).
Baseline: the 16.667 ms a tick has at 60 UPS (the ratio is the mod's share of it).
The mod runs on the plain stand-in objects: the strict layer (factorio_stub/strict.lua, a proxy
and a type check on every API access, which the game does in C++) is a test-time layer; --strict 1
measures the mod through it. The mod's stdout is only appended to a list inside the handlers and
counted after each tick, so the stand-in's printing is not charged to the mod. --profile 1 adds
where the Lua-only time goes (mod-tools/profiler.lua; the hook slows everything down; no count).
]]
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
package.path = dir .. "/?.lua;" .. dir .. "/factorio_stub/?.lua;" .. package.path
local Sim = require("simworld")

local o = { chunks = 100, players = 20, build_rate = 6, seconds = 180, seed = 1, strict = 0, stations = 100, trains = 200,
  space_age = 0, profile = 0, steady_seconds = 60, count = 1 }
local i = 1
while i <= #arg do
  local k = arg[i]:gsub("^%-%-", ""):gsub("%-", "_")
  if o[k] == nil or not tonumber(arg[i + 1]) then io.stderr:write("bench: bad argument " .. arg[i] .. "\n"); os.exit(2) end
  o[k] = tonumber(arg[i + 1])
  i = i + 2
end

local bytes, packets = 0, 0
local factory_packets = {}
-- The mod's stdout: kept as it is printed (inside the timed handlers, so nothing more than an
-- append) and counted after each tick, outside them.
local printed, n_printed = {}, 0
-- BENCH_MOD_DUMP=FILE writes every packet line there (to check that a change to the mod sends
-- the same lines: diff two dumps of the same seed).
local dump = os.getenv("BENCH_MOD_DUMP") and assert(io.open(os.getenv("BENCH_MOD_DUMP"), "w")) or nil
local function count_printed()
  for k = 1, n_printed do
    local line = printed[k]
    if dump then dump:write(line, "\n") end
    printed[k] = nil
    bytes = bytes + #line + 1
    packets = packets + 1
    local b = line:byte(14) -- the factory types start with c, s or t
    if b == 116 or b == 99 or b == 115 then
      local t = line:sub(14, line:find(" ", 14, true) - 1)
      factory_packets[t] = (factory_packets[t] or 0) + 1
    end
  end
  n_printed = 0
end
local sim = Sim.new({ seed = o.seed, players = o.players, build_rate = o.build_rate, world_chunks = o.chunks, noisy = true,
  out = function(line)
    n_printed = n_printed + 1
    printed[n_printed] = line
  end, join_spread = 600, stations = o.stations, trains = o.trains, space_age = o.space_age ~= 0,
  strict = o.strict ~= 0 })
local rt = sim.rt
-- Time the stand-in's natives separately: JSON and deflate (helpers) and the surface queries
-- (find_tiles_filtered, find_entities_filtered, get_tile) are C++ in the game.
local native, depth = 0, 0
local natives = {}
local function timed(f)
  local w = function(...)
    depth = depth + 1
    local t0 = os.clock()
    local a, b = f(...)
    depth = depth - 1
    if depth == 0 then native = native + (os.clock() - t0) end
    return a, b
  end
  natives[w] = true
  return w
end
for _, name in ipairs({ "table_to_json", "encode_string" }) do rt.helpers[name] = timed(rt.helpers[name]) end
local S = require("surface")
S._find_tiles = timed(S._find_tiles)
S._find_entities = timed(S._find_entities)
S.tile_name = timed(S.tile_name)
local warm = 600 -- the first 10 s (init, prototypes, start area) are reported on their own
local phases = { charting = { all = {}, lua = {}, ins = {} }, steady = { all = {}, lua = {}, ins = {} } }
local current = phases.charting
-- --profile 1: both phases after the first 10 s; --profile 2: the steady state only.
local profiler = o.profile ~= 0 and require("profiler").install(rt, 1000, natives,
  function() return rt.tick <= warm or (o.profile == 2 and current ~= phases.steady) end) or nil
-- The instruction counter: hooks every COUNT_EVERY VM instructions; counted while a mod handler
-- runs and no native is (depth == 0). Deterministic for a seed.
local COUNT_EVERY = 1000
local hooks, inside = 0, 0
if not profiler and o.count ~= 0 then
  local measure = rt.measure
  rt.measure = function(r, f, a)
    inside = inside + 1
    measure(r, f, a)
    inside = inside - 1
  end
  debug.sethook(function() if inside > 0 and depth == 0 then hooks = hooks + 1 end end, "", COUNT_EVERY)
end
-- The stand-in world (entities, tiles) lives in this Lua VM but is C++ memory in the game, so
-- garbage collection runs between ticks, outside the timed handlers.
collectgarbage("stop")

local ticks = math.floor(o.seconds * 60)
local steady_ticks = math.floor(o.steady_seconds * 60)
local warm_time, warm_worst = 0, 0
local warm_bytes, warm_packets, warm_fp = 0, 0, {}
local function after(s)
  count_printed()
  collectgarbage("step", 400)
  local t = s.rt.tick_accum
  local n = native
  native = 0
  local h = hooks
  hooks = 0
  if s.rt.tick <= warm then
    warm_time = warm_time + t
    if t > warm_worst then warm_worst = t end
    if s.rt.tick == warm then
      warm_bytes, warm_packets = bytes, packets
      for k, v in pairs(factory_packets) do warm_fp[k] = v end
    end
  elseif current then
    local k = #current.all + 1
    current.all[k], current.lua[k], current.ins[k] = t, t - n, h * COUNT_EVERY
  end
end
local cpu0 = os.clock()
sim:run(ticks, after)
local charting_bytes, charting_packets, charted_phase1 = bytes - warm_bytes, packets - warm_packets, #rt.env.storage.chunks.list
-- Steady state: nothing new explored; drain what the charting phase left queued, then measure.
sim.explore = false
current = nil
local drain = 0
local lo = rt.env.storage.lo
while lo.last - lo.first + 1 > 0 and drain < 60 * 600 do
  sim:run(1, after)
  drain = drain + 1
end
current = phases.steady
local charted_steady0 = #rt.env.storage.chunks.list
local bytes0, packets0 = bytes, packets
local fp0 = {}
for k, v in pairs(factory_packets) do fp0[k] = v end
sim:run(steady_ticks, after)
debug.sethook()
local cpu = os.clock() - cpu0
if dump then dump:close() end

local function summary(list)
  local sum, worst = 0, 0
  for _, v in ipairs(list) do sum = sum + v; if v > worst then worst = v end end
  local sorted = {}
  for k, v in ipairs(list) do sorted[k] = v end
  table.sort(sorted)
  return sum / math.max(1, #list), worst, sorted[math.max(1, math.ceil(#sorted * 0.99))] or 0
end
local secs = ticks / 60
local ms = function(x) return x * 1000 end
local frame = 1 / 60
local st = sim.stats

print(string.format("bench-mod: %dx%d-chunk world, %d players, %g builds/player/min, %g + %g game s, seed %d%s",
  o.chunks, o.chunks, o.players, o.build_rate, secs, steady_ticks / 60, o.seed, o.strict ~= 0 and ", strict stand-in" or ""))
print(string.format("  world: %d chunks charted, %d built, %d mined, %d died, %d destroyed silently, %d tiles, %d chats",
  #rt.env.storage.chunks.list, st.built, st.mined, st.died, st.silent, st.tiles, st.chats))
print(string.format("  first %d s (init, prototypes, start area): %.3f ms/tick avg, worst %.3f ms", warm / 60,
  ms(warm_time / warm), ms(warm_worst)))
local function report(title, ph, nticks, pbytes, ppackets, fp)
  local avg, worst, p99 = summary(ph.all)
  local lavg, lworst, lp99 = summary(ph.lua)
  local iavg, iworst, ip99 = summary(ph.ins)
  local s = nticks / 60
  print(title)
  print(string.format("    factory: %d stations, %d trains%s; packets/s: train %.1f, train_stop %.2f, chart_tag %.2f, space_platform %.2f",
    o.stations, #sim.factory.trains, o.space_age ~= 0 and ", Space Age" or "", (fp.train or 0) / s,
    (fp.train_stop or 0) / s, (fp.chart_tag or 0) / s, (fp.space_platform or 0) / s))
  print(string.format("    mod tick time, all handlers:  avg %.3f ms  p99 %.3f ms  worst %.3f ms", ms(avg), ms(p99), ms(worst)))
  print(string.format("    mod tick time, Lua only (*):  avg %.3f ms  p99 %.3f ms  worst %.3f ms", ms(lavg), ms(lp99), ms(lworst)))
  if o.count ~= 0 and not profiler then
    print(string.format("    Lua only, VM instructions:    avg %.0f  p99 %.0f  worst %.0f per tick (load-independent)", iavg, ip99, iworst))
  end
  print(string.format("    vs the 16.667 ms tick at 60 UPS: avg %.2f%%, worst %.1f%% (Lua only: avg %.2f%%, worst %.1f%%)",
    100 * avg / frame, 100 * worst / frame, 100 * lavg / frame, 100 * lworst / frame))
  print(string.format("    stdout: %.1f KB/s, %.1f packets/s (%d bytes, %d packets)", pbytes / s / 1024, ppackets / s, pbytes, ppackets))
end
local fp1, fpc = {}, {}
for k, v in pairs(factory_packets) do fp1[k] = v - (fp0[k] or 0) end
for k, v in pairs(fp0) do fpc[k] = v - (warm_fp[k] or 0) end
report(string.format("  charting phase, %d-%d s (players exploring: %d chunks charted, new ones all the time):", warm / 60, secs,
  charted_phase1), phases.charting, ticks - warm, charting_bytes, charting_packets, fpc)
report(string.format("  steady state, %g s (nothing explored: %d new chunks; after %d ticks draining the snapshot queue):",
  steady_ticks / 60, #rt.env.storage.chunks.list - charted_steady0, drain), phases.steady, steady_ticks, bytes - bytes0,
  packets - packets0, fp1)
print("  (*) minus helpers.table_to_json/encode_string and the surface queries (find_tiles_filtered,")
print("      find_entities_filtered, get_tile), which are native C++ in the game and Lua in the stand-in")
print(string.format("  bench cpu %.1f s (stand-in world simulation included)", cpu))
if profiler then profiler.report(30) end
