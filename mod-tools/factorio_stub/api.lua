--[[ The official machine-readable Factorio runtime API (Tests/Fixtures/runtime-api-2.0.77.json, a
verbatim copy of the file the game's documentation publishes), read once per process with the
stand-in's JSON reader (about 0.3 s) and indexed for the strict layer (strict.lua):

  api.classes[name]  = { name, parent, members = { [key] = member }, operators = { [op] = true } }
      member: { kind = "attribute", read = type|nil, write = type|nil, optional = bool }
            | { kind = "method", returns = { type, ... }, optional_returns = { bool, ... },
                params = { { name, type, optional }, ... } (in call order), takes_table, table_optional }
      (members of parent classes included: LuaEntity has LuaControl's)
  api.events[name]   = { name, fields = { [key] = { type, optional } } }  (name and tick included)
  api.concepts[name] = type (as in the JSON: a name or a {complex_type = ...} table)
  api.defines        = the nested defines table (each value its `order` in the JSON; the JSON
                       gives no numbers, and for direction and target_type the order is the value)
  api.global_objects = { [global name] = class name }
]]
local json = require("json")

local api = {}

local function script_dir()
  local src = debug.getinfo(1, "S").source:sub(2)
  return src:match("^(.*)/[^/]*$") or "."
end
api.PATH = script_dir() .. "/../../Tests/Fixtures/runtime-api-2.0.77.json"

local function defines_of(list)
  local out = {}
  for _, d in ipairs(list) do
    local t = {}
    if d.values then for _, v in ipairs(d.values) do t[v.name] = v.order end end
    if d.subkeys then for k, v in pairs(defines_of(d.subkeys)) do t[k] = v end end
    out[d.name] = t
  end
  return out
end

local function index(data)
  local self = { version = data.application_version, classes = {}, events = {}, concepts = {},
    global_objects = {}, defines = defines_of(data.defines) }
  local raw = {}
  for _, c in ipairs(data.classes) do raw[c.name] = c end
  local function members_of(c, into)
    if c.parent and raw[c.parent] then members_of(raw[c.parent], into) end
    for _, a in ipairs(c.attributes or {}) do
      into[a.name] = { kind = "attribute", read = a.read_type, write = a.write_type, optional = a.optional == true }
    end
    for _, m in ipairs(c.methods or {}) do
      local returns, optional = {}, {}
      for i, r in ipairs(m.return_values or {}) do returns[i] = r.type; optional[i] = r.optional == true end
      local params = {}
      for i, q in ipairs(m.parameters or {}) do params[i] = { name = q.name, type = q.type, optional = q.optional == true, order = q.order } end
      table.sort(params, function(x, y) return x.order < y.order end)
      local format = m.format or {}
      into[m.name] = { kind = "method", returns = returns, optional_returns = optional, params = params,
        takes_table = format.takes_table == true, table_optional = format.table_optional == true }
    end
    return into
  end
  for name, c in pairs(raw) do
    local ops = {}
    for _, o in ipairs(c.operators or {}) do ops[o.name] = true end
    self.classes[name] = { name = name, parent = c.parent, members = members_of(c, {}), operators = ops }
  end
  for _, e in ipairs(data.events) do
    local fields = {}
    for _, f in ipairs(e.data or {}) do fields[f.name] = { type = f.type, optional = f.optional == true } end
    self.events[e.name] = { name = e.name, fields = fields }
  end
  for _, c in ipairs(data.concepts) do self.concepts[c.name] = c.type end
  for _, g in ipairs(data.global_objects) do self.global_objects[g.name] = g.type end
  return self
end

local loaded = nil

-- The indexed API (loaded on first use).
function api.get()
  if loaded then return loaded end
  local f = assert(io.open(api.PATH, "rb"), "runtime API JSON missing: " .. api.PATH)
  local text = f:read("*a")
  f:close()
  loaded = index(json.decode(text))
  return loaded
end

return api
