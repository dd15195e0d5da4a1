-- Properties over busy worlds: the per-tick budget is never exceeded, every line is under 16 KB
-- and well formed with consecutive seq, removals erase (a map built only from the packets equals
-- the world), the reload path resyncs without writing storage in on_load, and the anti-entropy
-- sweep re-sends every charted chunk round-robin.
local H = require("harness")
local A = require("actions")
local Sim = require("simworld")

local function per_tick(lines)
  local ticks = {}
  for _, l in ipairs(lines) do
    local p = H.parse(l)
    local t = ticks[p.tick] or { packets = 0, bytes = 0 }
    t.packets = t.packets + 1
    t.bytes = t.bytes + #l + 1
    ticks[p.tick] = t
  end
  return ticks
end

-- Applies packets to a map state: buildings by unit within chunks, as MapState does.
local function apply(state, p)
  local pl = p.payload
  if p.type == "chunk_buildings" then
    local a = pl.area or { pl.cx * 32, pl.cy * 32, pl.cx * 32 + 32, pl.cy * 32 + 32 }
    for unit, b in pairs(state) do
      if b.surface == pl.surface and b.x >= a[1] and b.x < a[3] and b.y >= a[2] and b.y < a[4] then state[unit] = nil end
    end
    local e = pl.entities
    for i = 1, #e, 6 do state[e[i]] = { surface = pl.surface, name = pl.names[e[i + 1] + 1], x = e[i + 2], y = e[i + 3] } end
  elseif p.type == "buildings" then
    local e = pl.entities
    for i = 1, #e, 6 do state[e[i]] = { surface = pl.surface, name = pl.names[e[i + 1] + 1], x = e[i + 2], y = e[i + 3] } end
  elseif p.type == "building_removed" then
    local r = pl.removed
    for i = 1, #r, 3 do state[r[i]] = nil end
  elseif p.type == "chunk_deleted" then
    for unit, b in pairs(state) do
      for i = 1, #pl.chunks, 2 do
        if b.surface == pl.surface and math.floor(b.x / 32) == pl.chunks[i] and math.floor(b.y / 32) == pl.chunks[i + 1] then
          state[unit] = nil
        end
      end
    end
  end
end

local function check_lines(lines, budget_packets, budget_bytes)
  local last_seq = nil
  for _, l in ipairs(lines) do
    assert(#l < 16384, "line of " .. #l .. " bytes")
    local p = H.parse(l)
    if p.type == "session_start" then assert(p.seq == 0, "session_start seq " .. p.seq)
    else assert(last_seq and p.seq == last_seq + 1, "seq not consecutive at " .. l:sub(1, 80)) end
    last_seq = p.seq
    if p.type == "chunk_terrain" then
      local sum = 0
      for i = 1, #p.payload.runs, 2 do sum = sum + p.payload.runs[i] end
      assert(sum == 1024, "runs do not sum to 1024")
    end
  end
  for tick, t in pairs(per_tick(lines)) do
    assert(t.packets <= budget_packets, ("tick %d: %d packets > %d"):format(tick, t.packets, budget_packets))
    assert(t.bytes <= budget_bytes, ("tick %d: %d bytes > %d"):format(tick, t.bytes, budget_bytes))
  end
end

return {
  { "budget is never exceeded and every line is under 16 KB (busy world, small budget)", function()
    local settings = { ["kafkatorio-packets-per-tick"] = 4, ["kafkatorio-bytes-per-tick"] = 32768 }
    local sim = Sim.new({ seed = 3, players = 6, build_rate = 120, world_chunks = 40, settings = settings, noisy = true })
    sim:run(1200)
    local lines = sim.rt.lines
    assert(#lines > 500, "too little output: " .. #lines)
    check_lines(lines, 4, 32768)
    local ticks = per_tick(lines)
    local full = 0
    -- the storage lane's share is the budget minus the one packet reserved for the local lane
    for _, t in pairs(ticks) do if t.packets >= 3 then full = full + 1 end end
    assert(full > 50, "the budget was never the limit, so the test proves nothing (" .. full .. ")")
  end },
  { "big chunks are split into areas, never over 16 KB", function()
    local rt = H.game({ settings = { ["kafkatorio-compress-min-bytes"] = 65536 } })
    local s = rt:create_surface("dense", { empty = "grass-1" })
    local names = { "iron-ore", "copper-ore", "coal", "stone", "uranium-ore" }
    for y = 0, 31 do for x = 0, 31 do
      s.create_entity({ name = names[(x * 7 + y * 13) % 5 + 1], position = { x + 0.5, y + 0.5 }, amount = 100000 + x * 977 + y * 31 })
    end end
    for y = 0, 31 do for x = 0, 31 do A.build(rt, s, "transport-belt", x + 0.5, y + 0.5, { by = "silent", direction = (x * y) % 16 }) end end
    rt.forces_by_name.player.chart(s, { { 0, 0 }, { 32, 32 } })
    local lines = H.run(rt, 60)
    check_lines(rt.lines, 8, 49152)
    local areas, cells, ents = 0, 0, 0
    for _, l in ipairs(lines) do
      local p = H.parse(l)
      if p.type == "chunk_resources" then cells = cells + #p.payload.cells / 4; if p.payload.area then areas = areas + 1 end end
      if p.type == "chunk_buildings" then ents = ents + #p.payload.entities / 6; if p.payload.area then areas = areas + 1 end end
    end
    assert(cells == 1024 and ents == 1024, ("cells %d, entities %d"):format(cells, ents))
    assert(areas >= 2, "expected split packets")
  end },
  { "removals erase: a map built only from packets equals the world", function()
    local settings = {}
    for k, v in pairs(H.QUIET) do settings[k] = v end
    settings["kafkatorio-batch-ticks"] = 6 -- builds and removals interleave within a batch window
    local sim = Sim.new({ seed = 5, players = 4, build_rate = 240, mine_share = 0.3, world_chunks = 30, settings = settings })
    sim:run(3000)
    -- Let the emitter drain: a build in the last ticks is still inside its batch window.
    for _ = 1, 600 do sim.rt:step(function() end) end
    local state = {}
    for _, l in ipairs(sim.rt.lines) do apply(state, H.parse(l)) end
    local world = {}
    local charted = sim.rt.forces_by_name.player.charted
    for _, s in pairs(sim.rt.surfaces) do
      for _, e in ipairs(s:all_entities()) do
        local cx, cy = math.floor(e.position.x / 32), math.floor(e.position.y / 32)
        if e.unit_number and e.type ~= "character" and charted[s.index .. ":" .. cx .. ":" .. cy] then world[e.unit_number] = e end
      end
    end
    local removed = sim.stats.mined + sim.stats.died + sim.stats.silent
    assert(removed > 20, "too few removals to mean anything: " .. removed)
    for unit, e in pairs(world) do
      local b = state[unit]
      assert(b and b.name == e.name and b.x == e.position.x and b.y == e.position.y, "missing on the map: " .. e.name .. " " .. unit)
    end
    for unit, b in pairs(state) do assert(world[unit], "on the map but gone from the world: " .. b.name .. " " .. unit) end
  end },
  { "reload: on_load writes nothing, session_start then a resync of every charted chunk", function()
    local sim = Sim.new({ seed = 2, players = 3, build_rate = 60, world_chunks = 20, settings = H.QUIET })
    sim:run(600)
    local rt = sim.rt
    local saved = rt:save()
    rt:load(saved) -- raises if on_load changed storage; game is nil during on_load
    local first = #rt.lines + 1
    local n = #saved.chunks.list
    sim:run(n * 3 + 200)
    local after = {}
    for i = first, #rt.lines do after[#after + 1] = rt.lines[i] end
    local p1 = H.parse(after[1])
    assert(p1.type == "session_start" and p1.seq == 0, "first line after load is not session_start/0: " .. after[1])
    local terrain = {}
    for _, l in ipairs(after) do
      local p = H.parse(l)
      if p.type == "chunk_terrain" then terrain[p.payload.surface .. ":" .. p.payload.cx .. ":" .. p.payload.cy] = true end
    end
    for _, e in ipairs(saved.chunks.list) do
      local name = rt.surfaces[e.si].name
      assert(terrain[name .. ":" .. e.cx .. ":" .. e.cy], "chunk not resent after load")
    end
    check_lines(after, 8, 49152)
    assert(rt:save().units ~= nil)
  end },
  { "configuration change: session_start, prototypes and a snapshot on the storage lane", function()
    local rt = H.game({})
    local s = rt:create_surface("lab", { empty = "grass-1" })
    rt.forces_by_name.player.chart(s, { { 0, 0 }, { 64, 64 } })
    H.run(rt, 30)
    rt:load(rt:save(), { mod_changes = { kafkatorio = { old_version = "0.0.9", new_version = "0.1.0" } } })
    local lines = H.run(rt, 60)
    local count = {}
    for _, l in ipairs(lines) do local p = H.parse(l); count[p.type] = (count[p.type] or 0) + 1 end
    assert(H.parse(lines[1]).type == "session_start")
    assert((count.prototypes or 0) >= 2 and count.chunk_terrain == 4, "snapshot incomplete")
  end },
  { "anti-entropy sweep re-sends every charted chunk round-robin", function()
    local rt = H.game({ settings = { ["kafkatorio-sweep-ticks"] = 2 } })
    local s = rt:create_surface("lab", { empty = "grass-1" })
    rt.forces_by_name.player.chart(s, { { -64, -64 }, { 64, 64 } })
    H.run(rt, 60)
    local lines = H.run(rt, 2 * 16 * 2 + 10)
    local seen, order = {}, {}
    for _, l in ipairs(lines) do
      local p = H.parse(l)
      if p.type == "chunk_terrain" then
        local k = p.payload.cx .. ":" .. p.payload.cy
        seen[k] = (seen[k] or 0) + 1
        order[#order + 1] = k
      end
    end
    local n = 0
    for _ in pairs(seen) do n = n + 1 end
    assert(n == 16, "sweep covered " .. n .. " of 16 chunks")
    for i = 17, #order do assert(order[i] == order[i - 16], "not round-robin") end
  end },
  { "sim.lua writes a headless server's stdout: engine, console and packet lines only", function()
    local out = os.tmpname()
    local cmd = string.format("lua5.2 '%s/mod-tools/sim.lua' --fast --duration 40 --players 3 --chunks 16 --build-rate 30 --seed 4 --out '%s' 2>/dev/null",
      H.Runtime.ROOT, out)
    assert(os.execute(cmd), "sim.lua failed")
    local kinds = { engine = 0, console = 0, packet = 0 }
    local joins = 0
    local packets = {}
    for line in io.lines(out) do
      if line:match("^KAFKATORIO/1 ") then
        kinds.packet = kinds.packet + 1
        packets[#packets + 1] = line
      elseif line:match("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d %[[A-Z]+%] ") then
        kinds.console = kinds.console + 1
        assert(line:match("%[JOIN%] %S+ joined the game$") or line:match("%[LEAVE%] %S+ left the game$")
          or line:match("%[CHAT%] %S+: .+$"), "unexpected console line: " .. line)
        if line:match("%[JOIN%]") then joins = joins + 1 end
      elseif line:match("^ *%d+%.%d%d%d ") then
        kinds.engine = kinds.engine + 1
      else
        error("line of no kind a server prints: " .. line:sub(1, 120))
      end
    end
    os.remove(out)
    assert(joins == 3 and kinds.engine >= 8 and kinds.packet > 100, "too little output")
    check_lines(packets, 8, 49152)
  end },
  { "the mod uses no os, io, load or debug (the game has none)", function()
    local files = io.popen("find '" .. H.Runtime.ROOT .. "/mod' -name '*.lua'"):read("*a")
    for path in files:gmatch("[^\n]+") do
      local src = io.open(path):read("*a"):gsub("%-%-%[%[.-%]%]", ""):gsub("%-%-[^\n]*", "")
      for _, bad in ipairs({ "%f[%w_]os%.", "%f[%w_]io%.", "%f[%w_]loadstring", "%f[%w_]dofile", "%f[%w_]debug%.", "math%.random" }) do
        assert(not src:find(bad), path .. " uses " .. bad)
      end
    end
  end },
}
