--[[ The 2.0.77 API's types for the strict layer (strict.lua): checks a stand-in value against a
declared type (classes, defines, builtins, concepts, arrays, dictionaries, unions, tuples, tables)
and returns what the mod gets: objects as proxies (made by strict.lua through T.bind), tables
copied, concept tables erroring on keys their type lacks. Also the registry the two share: which
tables are proxies (T.RAW), LuaCustomTables (T.CUSTOM) and exported concept tables (T.RECORD).
]]
local api = require("api")

local T = {}
local A = api.get()
T.A = A
local CUSTOM = setmetatable({}, { __mode = "k" }) -- raw custom table -> true
local RAW = setmetatable({}, { __mode = "k" })    -- proxy -> raw object
local RECORD = setmetatable({}, { __mode = "k" }) -- exported concept/event table -> true
T.CUSTOM, T.RAW, T.RECORD = CUSTOM, RAW, RECORD

local proxy_of, custom_proxy, export -- from strict.lua (T.bind)
function T.bind(p, c, e) proxy_of, custom_proxy, export = p, c, e end

local function is_a(cls, want)
  while cls do
    if cls == want then return true end
    local c = A.classes[cls]
    cls = c and c.parent
  end
  return false
end

-- The class name of a stand-in object or proxy (nil for plain tables), read without metamethods.
local function oname(v)
  local r = RAW[v] or v
  return rawget(r, "object_name")
end

local function describe(v)
  if type(v) == "table" then return oname(v) and tostring(oname(v)) or "a plain table" end
  return type(v) .. " " .. tostring(v)
end

-- Key sets of concept types, for the tables' strict readers --------------------------------
local keysets = setmetatable({}, { __mode = "k" })
local function keys_of(ty, into, depth)
  if depth > 8 then return into end
  if type(ty) == "string" then
    local c = A.concepts[ty]
    if c then keys_of(c, into, depth + 1) end
  elseif type(ty) == "table" then
    local ct = ty.complex_type
    if ct == "table" then
      for _, p in ipairs(ty.parameters or {}) do into[p.name] = true end
      for _, g in ipairs(ty.variant_parameter_groups or {}) do
        for _, p in ipairs(g.parameters or {}) do into[p.name] = true end
      end
    elseif ct == "tuple" then
      for i = 1, #ty.values do into[i] = true end
    elseif ct == "union" then
      for _, o in ipairs(ty.options) do keys_of(o, into, depth + 1) end
    elseif ct == "type" then
      keys_of(ty.value, into, depth + 1)
    end
  end
  return into
end

local function record_mt(label, keys, what)
  local text = " has no " .. (what or "key") .. " "
  return { __index = function(_, k)
    if keys[k] then return nil end
    error(label .. text .. tostring(k) .. " (" .. A.version .. " runtime API)", 2)
  end }
end

local record_mts = setmetatable({}, { __mode = "k" })
local function as_record(t, ty, label)
  local mt = record_mts[ty]
  if not mt then
    local keys = keysets[ty] or keys_of(ty, {}, 0)
    keysets[ty] = keys
    mt = record_mt(label, keys)
    record_mts[ty] = mt
  end
  RECORD[t] = true
  return setmetatable(t, mt)
end

-- Type conversion: returns true, exported value, or false, error ----------------------------
local conv

local NUMBER = { double = true, float = true, int8 = true, int16 = true, int32 = true, uint8 = true, uint16 = true,
  uint32 = true, uint64 = true, number = true }

-- The value or table at a defines path ("defines.events.on_tick"), or nil.
function T.define(path)
  local t = { defines = A.defines }
  for part in path:gmatch("[^%.]+") do
    if type(t) ~= "table" then return nil end
    t = t[part]
  end
  return t
end
local define_sets = {}
local function is_define_value(ty, v)
  local set = define_sets[ty]
  if set == nil then
    set = {}
    local function collect(t) for _, x in pairs(t) do if type(x) == "table" then collect(x) else set[x] = true end end end
    local t = T.define(ty)
    if type(t) == "table" then collect(t) else set = false end
    define_sets[ty] = set
  end
  return set == false or set[v] == true
end

local function conv_named(v, ty, path)
  if A.classes[ty] then
    if type(v) == "function" and ty == "LuaChunkIterator" then
      -- the stand-in's iterators are functions; each chunk is checked as the API's type
      return true, function()
        local c = v()
        if c == nil then return nil end
        return T.convert(c, "ChunkPositionAndArea", path)
      end
    end
    if type(v) ~= "table" then return false, path .. ": expected " .. ty .. ", got " .. describe(v) end
    local raw = RAW[v] or v
    if CUSTOM[raw] and ty == "LuaCustomTable" then return true, custom_proxy(raw, nil) end
    if not is_a(oname(raw), ty) then return false, path .. ": expected " .. ty .. ", got " .. describe(raw) end
    return true, proxy_of(raw)
  end
  if NUMBER[ty] then
    if type(v) ~= "number" then return false, path .. ": expected " .. ty .. ", got " .. describe(v) end
    return true, v
  end
  if ty == "string" or ty == "boolean" or ty == "table" or ty == "nil" then
    if type(v) ~= ty then return false, path .. ": expected " .. ty .. ", got " .. describe(v) end
    if ty == "table" then return true, export(v) end
    return true, v
  end
  if ty:sub(1, 8) == "defines." then
    if not is_define_value(ty, v) then return false, path .. ": " .. tostring(v) .. " is not a value of " .. ty end
    return true, v
  end
  local c = A.concepts[ty]
  if c == nil or ty == "LuaObject" or ty == "Any" or ty == "AnyBasic" then return true, export(v) end
  local ok, out = conv(v, c, path)
  if ok and type(out) == "table" and RECORD[out] then
    -- a named concept's table reads with the concept's name and all its forms' keys
    local mt = record_mts[ty]
    if not mt then
      keysets[ty] = keysets[ty] or keys_of(ty, {}, 0)
      mt = record_mt(ty, keysets[ty])
      record_mts[ty] = mt
    end
    setmetatable(out, mt)
  end
  return ok, out
end

local params_of = setmetatable({}, { __mode = "k" })
conv = function(v, ty, path)
  if type(ty) == "string" then return conv_named(v, ty, path) end
  local ct = ty.complex_type
  if ct == "type" then return conv(v, ty.value, path) end
  if ct == "union" then
    local first
    for _, o in ipairs(ty.options) do
      local ok, out = conv(v, o, path)
      if ok then return true, out end
      first = first or out
    end
    return false, first or (path .. ": matches no option")
  end
  if ct == "literal" then
    if v ~= ty.value then return false, path .. ": expected " .. tostring(ty.value) .. ", got " .. describe(v) end
    return true, v
  end
  if ct == "array" then
    if type(v) ~= "table" or oname(v) then return false, path .. ": expected an array, got " .. describe(v) end
    local out = {}
    for k, x in pairs(v) do
      if type(k) ~= "number" then return false, path .. ": array with key " .. tostring(k) end
      local ok, y = conv(x, ty.value, path .. "[" .. k .. "]")
      if not ok then return false, y end
      out[k] = y
    end
    return true, out
  end
  if ct == "LuaCustomTable" then
    local raw = type(v) == "table" and (RAW[v] or v)
    if not (raw and CUSTOM[raw]) then return false, path .. ": expected a LuaCustomTable, got " .. describe(v) end
    return true, custom_proxy(raw, ty.value)
  end
  if ct == "dictionary" then
    if type(v) ~= "table" or oname(v) then return false, path .. ": expected a dictionary, got " .. describe(v) end
    local out = {}
    for k, x in pairs(v) do
      local ok, y = conv(x, ty.value, path .. "." .. tostring(k))
      if not ok then return false, y end
      out[k] = y
    end
    return true, out
  end
  if ct == "tuple" then
    if type(v) ~= "table" or oname(v) or #v ~= #ty.values then return false, path .. ": expected a tuple of " .. #ty.values end
    local out = {}
    for k, x in pairs(v) do
      local want = type(k) == "number" and ty.values[k]
      if not want then return false, path .. ": tuple with key " .. tostring(k) end
      local ok, y = conv(x, want, path .. "[" .. k .. "]")
      if not ok then return false, y end
      out[k] = y
    end
    return true, out
  end
  if ct == "table" then
    if type(v) ~= "table" or oname(v) then return false, path .. ": expected a table, got " .. describe(v) end
    local keys = keysets[ty] or keys_of(ty, {}, 0)
    keysets[ty] = keys
    local params = params_of[ty]
    if not params then
      params = {}
      for _, p in ipairs(ty.parameters or {}) do params[p.name] = p end
      params_of[ty] = params
    end
    local out = {}
    for k, x in pairs(v) do
      if not keys[k] then return false, path .. ": key " .. tostring(k) .. " is not in the type" end
      local p = params[k]
      if p then
        local ok, y = conv(x, p.type, path .. "." .. tostring(k))
        if not ok then return false, y end
        out[k] = y
      else
        out[k] = export(x)
      end
    end
    for name, p in pairs(params) do
      if not p.optional and v[name] == nil then return false, path .. ": lacks " .. name end
    end
    return true, as_record(out, ty, path)
  end
  if ct == "function" then
    if type(v) ~= "function" then return false, path .. ": expected a function, got " .. describe(v) end
    return true, v
  end
  return true, export(v) -- LuaStruct, LuaLazyLoadedValue, builtin: exported unchecked
end

-- Checks and exports `v` as a value of API type `ty`; `where` names it in the error.
function T.convert(v, ty, where)
  local ok, out = conv(v, ty, where)
  if not ok then error("stand-in: " .. out, 2) end
  return out
end

T.oname, T.describe, T.record_mt = oname, describe, record_mt
function T.conv(v, ty, path) return conv(v, ty, path) end

return T
