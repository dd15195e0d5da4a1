-- Shared test/sim helpers: a game with the mod and captured output, packet line parsing
-- (envelope, JSON, `~` payloads) and payload comparison.
local Runtime = require("runtime")
local json = require("json")
local zlib = require("zlib")

local H = {}

-- Settings that make scenario output depend on the scenario only.
H.QUIET = {
  ["kafkatorio-sweep-ticks"] = 0, ["kafkatorio-resource-refresh-ticks"] = 0,
  ["kafkatorio-daytime-ticks"] = 0, ["kafkatorio-batch-ticks"] = 0,
}

-- A started game whose printed lines are collected in g.lines; settings merged over QUIET
-- unless opts.noisy; opts.strict = false gives the mod the plain stand-in objects (default strict).
function H.game(opts)
  opts = opts or {}
  local lines = {}
  local settings = {}
  if not opts.noisy then for k, v in pairs(H.QUIET) do settings[k] = v end end
  for k, v in pairs(opts.settings or {}) do settings[k] = v end
  local rt = Runtime.new({ seed = opts.seed or 1, settings = settings, world_chunks = opts.world_chunks, strict = opts.strict,
    out = function(l) lines[#lines + 1] = l; if opts.echo then opts.echo(l) end end })
  rt.lines = lines
  if not opts.no_start then rt:start() end
  return rt
end

-- Runs n ticks; returns the lines printed meanwhile.
function H.run(rt, n, world)
  local first = #rt.lines + 1
  for _ = 1, n do rt:step(world) end
  local out = {}
  for i = first, #rt.lines do out[#out + 1] = rt.lines[i] end
  return out
end

-- A started game after its init output (3 ticks), and the index where a scenario's output starts;
-- before_start(rt), when given, runs before the game starts (e.g. factory.lua's enable_space_age).
function H.fresh(settings, before_start)
  local rt = H.game({ settings = settings, no_start = true })
  if before_start then before_start(rt) end
  rt:start()
  H.run(rt, 3)
  return rt, #rt.lines + 1
end

-- The lines printed since index `first`.
function H.since(rt, first)
  local out = {}
  for i = first, #rt.lines do out[#out + 1] = rt.lines[i] end
  return out
end

-- An empty grass surface "lab".
function H.lab(rt)
  return rt:create_surface("lab", { empty = "grass-1" })
end

-- The player force charts chunks cx0..cx1 x cy0..cy1 of a surface.
function H.chart(rt, surface, cx0, cy0, cx1, cy1)
  rt.forces_by_name.player.chart(surface, { { cx0 * 32, cy0 * 32 }, { (cx1 + 1) * 32, (cy1 + 1) * 32 } })
end

-- The parsed packets of the given type among lines.
function H.packets(lines, ptype)
  local out = {}
  for _, l in ipairs(lines) do
    local p = H.parse(l)
    if p.type == ptype then out[#out + 1] = p end
  end
  return out
end

-- Calls f and checks it raises an error containing `needle` (plain text).
function H.fails_with(needle, f)
  local ok, err = pcall(f)
  if ok then error("expected an error containing: " .. needle, 2) end
  if not tostring(err):find(needle, 1, true) then
    error("expected an error containing: " .. needle .. "\n  got: " .. tostring(err), 2)
  end
end

-- Parses a packet line: {type, tick, seq, payload = table, compressed = bool, raw = line}.
function H.parse(line)
  local ptype, tick, seq, body = line:match("^KAFKATORIO/1 ([%l_]+) (%d+) (%d+) (.+)$")
  if not ptype then error("not a v1 packet line: " .. line:sub(1, 120), 0) end
  if tick:match("^0%d") or seq:match("^0%d") then error("leading zero: " .. line:sub(1, 80), 0) end
  local compressed = body:sub(1, 1) == "~"
  if compressed then
    local bin = assert(zlib.base64_decode(body:sub(2)))
    body = zlib.decompress(bin, 1048576)
  end
  return { type = ptype, tick = tonumber(tick), seq = tonumber(seq), payload = json.decode(body),
    compressed = compressed, raw = line }
end

-- Lines of a fixture file without comments and blanks (\r stripped).
function H.fixture_lines(path)
  local f = assert(io.open(path, "rb"))
  local out = {}
  for l in f:lines() do
    l = l:gsub("\r$", "")
    if l ~= "" and l:sub(1, 1) ~= "#" then out[#out + 1] = l end
  end
  f:close()
  return out
end

local function is_empty(t) return type(t) == "table" and next(t) == nil end

-- Deep equality of decoded JSON; {} equals [] (Lua's empty table is either).
function H.equal(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  if is_empty(a) and is_empty(b) then return true end
  for k, v in pairs(a) do if not H.equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function H.same_packet(a, b)
  return a.type == b.type and a.tick == b.tick and a.seq == b.seq and H.equal(a.payload, b.payload)
end

H.json = json
H.Runtime = Runtime
return H
