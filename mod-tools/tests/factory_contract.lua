-- The factory packet types' rules (docs/packets.md "The factory") on decoded payload tables, so
-- the Lua suite checks the mod's and the simulator's output against the same contract as the
-- Swift validator, and reads the same valid/invalid fixtures. Returns nil or (reason, field).
local json = require("json")

local C = {}

local MAX53 = 9007199254740992
local U32 = 4294967295
local SIGNAL_TYPES = { item = true, fluid = true, virtual = true, entity = true, recipe = true,
  ["space-location"] = true, ["asteroid-chunk"] = true, quality = true }

local function absent(v) return v == nil or v == json.null end
local function is_array(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for _ in pairs(v) do n = n + 1 end
  return n == #v
end
local function valid_name(s)
  return #s >= 1 and #s <= 200 and not s:find("[%z\1-\31\127]")
end
local function valid_surface(s)
  return valid_name(s) and not s:find("[/\\]") and s ~= "." and s ~= ".."
end

-- Field kinds: each returns nil or a reason for value v.
local K = {}
function K.int(lo, hi) return function(v)
  if type(v) ~= "number" then return "wrong_type" end
  if math.abs(v) > MAX53 then return "out_of_range" end
  if v ~= math.floor(v) then return "wrong_type" end
  if v < lo or v > hi then return "out_of_range" end
end end
function K.number(limit) return function(v)
  if type(v) ~= "number" then return "wrong_type" end
  if v ~= v or math.abs(v) > limit then return "out_of_range" end
end end
function K.string(check) return function(v)
  if type(v) ~= "string" then return "wrong_type" end
  if not check(v) then return "out_of_range" end
end end
function K.bool(v) if type(v) ~= "boolean" then return "wrong_type" end end
local name, surface = K.string(valid_name), K.string(valid_surface)
local label = K.string(function(s) return #s <= 1024 end)
local pos = K.number(1000000)
local u32 = K.int(0, U32)
local unit = K.int(1, MAX53)
local function icon(v)
  if type(v) ~= "table" or is_array(v) and next(v) ~= nil then return "wrong_type" end
  if absent(v.type) or absent(v.name) then return "missing_field" end
  if type(v.type) ~= "string" or type(v.name) ~= "string" then return "wrong_type" end
  if not SIGNAL_TYPES[v.type] or not valid_name(v.name) then return "out_of_range" end
end
local function int_list(max) return function(v)
  if not is_array(v) then return "wrong_type" end
  if #v > max then return "out_of_range" end
  for _, x in ipairs(v) do local r = u32(x) if r then return r end end
end end
local function carriages(v)
  if not is_array(v) then return "wrong_type" end
  if #v == 0 or #v % 3 ~= 0 or #v > 3000 then return "out_of_range" end
  for i, x in ipairs(v) do
    if type(x) ~= "number" then return "wrong_type" end
    if i % 3 == 0 then if x < 0 or x > 1 then return "out_of_range" end
    elseif math.abs(x) > 1000000 then return "out_of_range" end
  end
end
local function hub(v)
  if not is_array(v) then return "wrong_type" end
  if #v ~= 2 then return "out_of_range" end
  return pos(v[1]) or pos(v[2])
end

-- Per type: ordered {key, kind, optional}.
local R = {
  chart_tag = { { "tag", u32 }, { "surface", surface }, { "force", name }, { "x", pos }, { "y", pos }, { "text", label },
    { "icon", icon, true }, { "last_user", name, true } },
  chart_tag_removed = { { "tag", u32 }, { "surface", surface }, { "force", name } },
  chart_tags = { { "surface", surface }, { "force", name }, { "tags", int_list(10000) } },
  train_stop = { { "unit", unit }, { "backer_name", label }, { "x", pos }, { "y", pos }, { "direction", K.int(0, 15) },
    { "surface", surface }, { "force", name } },
  train_stop_removed = { { "unit", unit }, { "surface", surface } },
  train = { { "id", u32 }, { "surface", surface }, { "force", name }, { "state", name }, { "manual", K.bool },
    { "speed", K.number(1000) }, { "carriages", carriages }, { "stop", label, true }, { "stop_unit", unit, true },
    { "next_stop", label, true }, { "next_stop_unit", unit, true } },
  train_removed = { { "id", u32 }, { "surface", surface } },
  space_platform = { { "index", u32 }, { "name", name }, { "surface", surface }, { "force", name }, { "state", name },
    { "location", name, true }, { "from", name, true }, { "to", name, true }, { "progress", K.number(1), true },
    { "speed", K.number(1000000) }, { "hub", hub, true } },
  space_platform_removed = { { "index", u32 } },
}
C.types = {}
for t in pairs(R) do C.types[t] = true end

function C.check(ptype, p)
  local rules = R[ptype]
  if not rules then return "unknown_type", ptype end
  -- presence and JSON types first (the Swift decoder's order), then ranges
  for _, r in ipairs(rules) do
    local v = p[r[1]]
    if absent(v) then
      if not r[3] then return v == json.null and "wrong_type" or "missing_field", r[1] end
    end
  end
  for _, r in ipairs(rules) do
    local v = p[r[1]]
    if not absent(v) then
      local reason = r[2](v)
      if reason then return reason, r[1] end
    end
  end
  if ptype == "space_platform" then
    if absent(p.from) ~= absent(p.to) then return "out_of_range", "from" end
    if not absent(p.location) and not absent(p.from) then return "out_of_range", "location" end
    if not absent(p.progress) and (absent(p.from) or p.progress < 0) then return "out_of_range", "progress" end
  end
  return nil
end

return C
