--[[ `make bench-mod`: the mod's cost per tick and its stdout rate on a simulated server.

  lua5.2 mod-tools/bench.lua [--chunks 100] [--players 20] [--build-rate 6] [--seconds 180] [--seed 1] [--strict 0] [--profile 0|1]
                             [--stations 100] [--trains 200] [--space-age 0|1]

Times (os.clock) every mod handler the stand-in calls (on_tick and all events) and sums them per
tick; reports the average and worst tick, the 99th percentile, and the mod's stdout bytes and
packets per game second. helpers.table_to_json and helpers.encode_string are native C++ in the
game but Lua here, as are the surface queries, so their share is reported separately and
subtracted in "Lua only". Garbage collection runs between ticks (the stand-in's world shares the
VM; in the game it is C++ memory).
Baseline: the 16.667 ms a tick has at 60 UPS (the ratio is the mod's share of it).
The mod runs on the plain stand-in objects: the strict layer (factorio_stub/strict.lua, a proxy
and a type check on every API access, which the game does in C++) is a test-time layer; --strict 1
measures the mod through it. The mod's stdout is only appended to a list inside the handlers and
counted after each tick, so the stand-in's printing is not charged to the mod. --profile 1 adds
where the Lua-only time goes (mod-tools/profiler.lua; the hook slows everything down).
]]
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
package.path = dir .. "/?.lua;" .. dir .. "/factorio_stub/?.lua;" .. package.path
local Sim = require("simworld")

local o = { chunks = 100, players = 20, build_rate = 6, seconds = 180, seed = 1, strict = 0, stations = 100, trains = 200,
  space_age = 0, profile = 0 }
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
local function count_printed()
  for k = 1, n_printed do
    local line = printed[k]
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
local profiler = o.profile ~= 0 and require("profiler").install(rt, 1000, natives, function() return rt.tick <= warm end) or nil
-- The stand-in world (entities, tiles) lives in this Lua VM but is C++ memory in the game, so
-- garbage collection runs between ticks, outside the timed handlers.
collectgarbage("stop")

local ticks = math.floor(o.seconds * 60)
local samples, lua_samples = {}, {}
local warm_time, warm_worst = 0, 0
local cpu0 = os.clock()
sim:run(ticks, function(s)
  count_printed()
  collectgarbage("step", 400)
  local t = s.rt.tick_accum
  local n = native
  native = 0
  if s.rt.tick <= warm then
    warm_time = warm_time + t
    if t > warm_worst then warm_worst = t end
  else
    samples[#samples + 1] = t
    lua_samples[#lua_samples + 1] = t - n
  end
end)
local cpu = os.clock() - cpu0

local function summary(list)
  local sum, worst = 0, 0
  for _, v in ipairs(list) do sum = sum + v; if v > worst then worst = v end end
  local sorted = {}
  for k, v in ipairs(list) do sorted[k] = v end
  table.sort(sorted)
  return sum / #list, worst, sorted[math.max(1, math.ceil(#sorted * 0.99))]
end
local avg, worst, p99 = summary(samples)
local lavg, lworst, lp99 = summary(lua_samples)
local secs = ticks / 60
local ms = function(x) return x * 1000 end
local frame = 1 / 60
local st = sim.stats
local charted = #rt.env.storage.chunks.list

print(string.format("bench-mod: %dx%d-chunk world, %d players, %g builds/player/min, %g game s (%d ticks), seed %d%s",
  o.chunks, o.chunks, o.players, o.build_rate, secs, ticks, o.seed, o.strict ~= 0 and ", strict stand-in" or ""))
print(string.format("  world: %d chunks charted, %d built, %d mined, %d died, %d destroyed silently, %d tiles, %d chats",
  charted, st.built, st.mined, st.died, st.silent, st.tiles, st.chats))
print(string.format("  factory: %d stations, %d trains%s; packets/s: train %.1f, train_stop %.2f, chart_tag %.2f, space_platform %.2f",
  o.stations, #sim.factory.trains, o.space_age ~= 0 and ", Space Age" or "", (factory_packets.train or 0) / secs,
  (factory_packets.train_stop or 0) / secs, (factory_packets.chart_tag or 0) / secs, (factory_packets.space_platform or 0) / secs))
print(string.format("  first %d s (init, prototypes, start area): %.3f ms/tick avg, worst %.3f ms", warm / 60,
  ms(warm_time / warm), ms(warm_worst)))
print(string.format("  mod tick time, all handlers:    avg %.3f ms  p99 %.3f ms  worst %.3f ms", ms(avg), ms(p99), ms(worst)))
print(string.format("  mod tick time, Lua only (*):    avg %.3f ms  p99 %.3f ms  worst %.3f ms", ms(lavg), ms(lp99), ms(lworst)))
print(string.format("  vs the 16.667 ms tick at 60 UPS: avg %.2f%%, worst %.1f%% (Lua only: avg %.2f%%, worst %.1f%%)",
  100 * avg / frame, 100 * worst / frame, 100 * lavg / frame, 100 * lworst / frame))
print(string.format("  stdout: %.1f KB/s, %.1f packets/s (%d bytes, %d packets)", bytes / secs / 1024, packets / secs, bytes, packets))
print("  (*) minus helpers.table_to_json/encode_string and the surface queries (find_tiles_filtered,")
print("      find_entities_filtered, get_tile), which are native C++ in the game and Lua in the stand-in")
print(string.format("  bench cpu %.1f s (stand-in world simulation included)", cpu))
if profiler then profiler.report(30) end
