-- What a save keeps of a mod's `storage`: plain data only, deep-copied, and a canonical text of
-- it so the stand-in can check that on_load left storage untouched.
local strict = require("strict")

local savedata = {}

-- Deep copy of plain data (what a save keeps of `storage`); LuaObjects are not allowed.
local function deepcopy(v, seen)
  if type(v) ~= "table" then
    if type(v) == "function" or type(v) == "userdata" or type(v) == "thread" then
      error("storage cannot hold a " .. type(v), 0)
    end
    return v
  end
  seen = seen or {}
  if seen[v] then return seen[v] end
  -- (read raw: a table the mod got from an event or attribute errors on keys its type lacks)
  if strict.is_proxy(v) or rawget(v, "object_name") then
    error("storage holds a LuaObject (" .. tostring(rawget(strict.raw(v), "object_name")) .. ")", 0)
  end
  local t = {}
  seen[v] = t
  for k, x in pairs(v) do t[deepcopy(k, seen)] = deepcopy(x, seen) end
  return t
end
savedata.deepcopy = deepcopy

-- A canonical text of plain data, to compare storage before and after on_load.
local function canonical(v, out)
  if type(v) ~= "table" then out[#out + 1] = type(v) .. ":" .. tostring(v); return end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return type(a) .. tostring(a) < type(b) .. tostring(b) end)
  out[#out + 1] = "{"
  for _, k in ipairs(keys) do
    out[#out + 1] = type(k) .. ":" .. tostring(k) .. "="
    canonical(v[k], out)
  end
  out[#out + 1] = "}"
end
function savedata.canonical(v)
  local out = {}
  canonical(v, out)
  return table.concat(out, ",")
end

return savedata
