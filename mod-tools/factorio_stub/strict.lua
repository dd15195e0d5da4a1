--[[ The strict layer: what the mod sees of the stand-in, checked against the official 2.0.77
runtime API (api.lua), as strictly as the game checks it.

Stand-in objects stay plain Lua tables inside the stand-in (their internal fields, such as a
surface's chunk buckets, are the stand-in's own). Each is created through `strict.object(class,
fields)`, which checks the class exists and stamps `object_name`. When a value crosses into the
mod (`strict.export`: the globals, event payloads, attribute reads, method results), objects
become proxies that allow exactly the class's members:

* reading or writing a key the class lacks: "LuaEntity doesn't contain key foo."
* writing a read-only attribute: "LuaEntity::name is read only."
* any member but valid/object_name of an invalid object: "LuaEntity API call when LuaEntity was invalid."
* a method or non-optional attribute the class has but the stand-in does not provide: a
  "stand-in: ..." error (the stand-in is incomplete, not the mod wrong);
* every value is checked against its declared type (classes, defines, concepts, arrays, ...),
  and concept tables (MapPosition, BoundingBox, ...) and event tables error on keys their type
  lacks ("event on_built_entity has no field foo").
Values from the mod (method arguments, attribute writes) are checked against the parameter or
attribute types, then unwrapped back (`strict.import`).

Events (`strict.event`) must carry exactly the event's fields: every non-optional one, none the
2.0.77 event lacks (name and tick included), each of its type. `strict.raised` counts the
events checked, for the test that every event the stand-in raises was checked.
]]
local T = require("apitypes")

local strict = {}

local A = T.A
local CUSTOM, RAW, RECORD = T.CUSTOM, T.RAW, T.RECORD
local PROXY = setmetatable({}, { __mode = "k" })  -- raw object -> its proxy
local conv, oname, describe, record_mt = T.conv, T.oname, T.describe, T.record_mt
local proxy_of, custom_proxy
strict.raised = {}
strict.define = T.define
strict.convert = T.convert

-- Marks a stand-in object as an instance of an API class and returns it (unchanged otherwise).
function strict.object(class_name, fields)
  if not A.classes[class_name] then error("strict.object: " .. tostring(class_name) .. " is not a class of the "
    .. A.version .. " runtime API", 2) end
  fields.object_name = class_name
  return fields
end
strict.wrap = strict.object

-- Marks a table (with __index/__pairs/__len as needed) as a LuaCustomTable.
function strict.custom_table(t)
  CUSTOM[t] = true
  return t
end

-- The class of a global object of the API (game -> LuaGameScript, ...).
function strict.global_class(name) return A.global_objects[name] end

-- The raw stand-in object behind a proxy (or the value itself).
function strict.raw(v) return RAW[v] or v end
function strict.is_proxy(v) return RAW[v] ~= nil end

-- Exports a value whose type is not known: objects become proxies, tables are copied.
function strict.export(v)
  if type(v) ~= "table" then return v end
  if RAW[v] or RECORD[v] then return v end
  if CUSTOM[v] then return custom_proxy(v, nil) end
  if oname(v) then return proxy_of(v) end
  local out = {}
  for k, x in pairs(v) do out[k] = strict.export(x) end
  return out
end

-- Unwraps a value coming from the mod: proxies become their raw objects (tables copied only
-- where they hold a proxy or are exported concept tables).
function strict.import(v)
  if type(v) ~= "table" then return v end
  local r = RAW[v]
  if r then return r end
  local copy = nil
  if RECORD[v] then copy = {} for k, x in pairs(v) do copy[k] = x end end
  for k, x in pairs(v) do
    if type(x) == "table" then
      local y = strict.import(x)
      if y ~= x then
        if not copy then copy = {} for kk, xx in pairs(v) do copy[kk] = xx end end
        copy[k] = y
      end
    end
  end
  return copy or v
end

-- Proxies -----------------------------------------------------------------------------------
local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local unpack = table.unpack or unpack

-- Checks a call's arguments against the method's parameters (positional, or one table of named
-- parameters), as the game does: missing ones, unknown named ones and wrong types error.
local function check_args(where, m, args)
  local function check(v, p)
    if v == nil then
      if not p.optional then error(where .. ": missing argument " .. p.name, 4) end
      return
    end
    local ok, err = conv(v, p.type, where .. " argument " .. p.name)
    if not ok then error(err, 4) end
  end
  if not m.takes_table then
    for i, p in ipairs(m.params) do check(args[i], p) end
    return
  end
  local t = args[1]
  if t == nil then
    if not m.table_optional then error(where .. ": missing its table of parameters", 3) end
    return
  end
  if type(t) ~= "table" or oname(t) then error(where .. ": expected a table of parameters, got " .. describe(t), 3) end
  local known = {}
  for _, p in ipairs(m.params) do known[p.name] = true; check(t[p.name], p) end
  for key in pairs(t) do
    if not known[key] then error(where .. ": unknown parameter " .. tostring(key), 3) end
  end
end

local function method(cls, k, f, m)
  local where = cls .. "." .. k
  return function(...)
    local args = pack(...)
    check_args(where, m, args)
    for i = 1, args.n do args[i] = strict.import(args[i]) end
    local res = pack(f(unpack(args, 1, args.n)))
    local n = math.max(res.n, #m.returns)
    for i = 1, n do
      local ty = m.returns[i]
      if ty == nil then
        if res[i] ~= nil then error("stand-in: " .. where .. " returned more values than the API's " .. #m.returns, 2) end
      elseif res[i] == nil then
        if not m.optional_returns[i] then error("stand-in: " .. where .. " returned nil for a non-optional result", 2) end
      else
        res[i] = strict.convert(res[i], ty, where .. " result " .. i)
      end
    end
    return unpack(res, 1, n)
  end
end

local class_mts = {}
local function class_mt(cls)
  local mt = class_mts[cls]
  if mt then return mt end
  local members = A.classes[cls].members
  local methods = setmetatable({}, { __mode = "k" }) -- raw -> { key -> wrapper }
  mt = {
    __index = function(p, k)
      local m = members[k]
      if not m then error(cls .. " doesn't contain key " .. tostring(k) .. ".", 2) end
      local raw = RAW[p]
      if raw.valid == false and k ~= "valid" and k ~= "object_name" then
        error(cls .. " API call when " .. cls .. " was invalid.", 2)
      end
      if m.kind == "method" then
        local f = raw[k]
        if type(f) ~= "function" then
          error("stand-in: " .. cls .. "." .. k .. " is in the " .. A.version .. " API but the stand-in does not implement it", 2)
        end
        local cache = methods[raw]
        if not cache then cache = {}; methods[raw] = cache end
        local w = cache[k]
        if not w or cache[k .. "\0"] ~= f then
          w = method(cls, k, f, m); cache[k] = w; cache[k .. "\0"] = f
        end
        return w
      end
      if not m.read then error(cls .. "::" .. k .. " is write only.", 2) end
      local v = raw[k]
      if v == nil then
        if m.optional then return nil end
        error("stand-in: " .. cls .. "." .. k .. " is in the " .. A.version .. " API (not optional) but the stand-in does not provide it", 2)
      end
      return strict.convert(v, m.read, cls .. "." .. k)
    end,
    __newindex = function(p, k, v)
      local m = members[k]
      if not m then error(cls .. " doesn't contain key " .. tostring(k) .. ".", 2) end
      if m.kind == "method" or not m.write then error(cls .. "::" .. k .. " is read only.", 2) end
      local raw = RAW[p]
      if raw.valid == false then error(cls .. " API call when " .. cls .. " was invalid.", 2) end
      local ok, err = conv(v, m.write, cls .. "." .. k)
      if not ok then error(err, 2) end
      raw[k] = strict.import(v)
    end,
    __tostring = function(p) return "[" .. cls .. "]" end,
  }
  class_mts[cls] = mt
  return mt
end

proxy_of = function(raw)
  local p = PROXY[raw]
  if p then return p end
  local cls = oname(raw)
  if not A.classes[cls] then error("stand-in: object of unknown class " .. tostring(cls), 3) end
  p = setmetatable({}, class_mt(cls))
  PROXY[raw] = p
  RAW[p] = raw
  return p
end

custom_proxy = function(raw, value_type)
  local p = PROXY[raw]
  if p then return p end
  local function out(v, k)
    if value_type then return strict.convert(v, value_type, "LuaCustomTable[" .. tostring(k) .. "]") end
    return strict.export(v)
  end
  p = setmetatable({}, {
    __index = function(_, k)
      if k == "object_name" then return "LuaCustomTable" end
      local v = raw[k]
      if v == nil then return nil end
      return out(v, k)
    end,
    __newindex = function() error("LuaCustomTable is read only.", 2) end,
    __len = function() return #raw end,
    __pairs = function()
      local f, s, c = pairs(raw)
      return function()
        local k, v = f(s, c)
        c = k
        if k == nil then return nil end
        return k, out(v, k)
      end
    end,
  })
  PROXY[raw] = p
  RAW[p] = raw
  return p
end

-- Events ------------------------------------------------------------------------------------
local event_mts = {}

-- Checks an event's payload (raw stand-in values, name and tick set) and returns the table the
-- handler gets: exported values, erroring on fields the event lacks.
function strict.event(name, data)
  local spec = A.events[name]
  if not spec then error("stand-in raised " .. tostring(name) .. ", which is not an event of the " .. A.version .. " API", 2) end
  local out = {}
  for k, v in pairs(data) do
    local f = spec.fields[k]
    if not f then error("stand-in raised " .. name .. " with field " .. tostring(k) .. ", which the " .. A.version
      .. " event does not have", 2) end
    out[k] = strict.convert(v, f.type, name .. "." .. tostring(k))
  end
  for k, f in pairs(spec.fields) do
    if not f.optional and data[k] == nil then error("stand-in raised " .. name .. " without its field " .. k, 2) end
  end
  strict.raised[name] = (strict.raised[name] or 0) + 1
  local mt = event_mts[name]
  if not mt then
    local keys = {}
    for k in pairs(spec.fields) do keys[k] = true end
    mt = record_mt("event " .. name, keys, "field")
    event_mts[name] = mt
  end
  RECORD[out] = true
  return setmetatable(out, mt)
end

T.bind(proxy_of, custom_proxy, strict.export)

return strict
