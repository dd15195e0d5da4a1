-- LuaTilePrototype / LuaEntityPrototype stand-ins built from the real 2.0 prototype data
-- (Tests/Fixtures/prototypes-2.0.json: a Lua 5.2 run of the game's own data stage).
local json = require("json")
local strict = require("strict")

local protodata = {}
local cache = {}

-- A float as the game stores it in a Color (single precision).
local function f32(x)
  if x == 0 then return 0 end
  local m, e = math.frexp(x)
  return math.ldexp(math.floor(m * 16777216 + 0.5) / 16777216, e)
end

-- A Color as the game returns it: r, g, b, a as single-precision floats in 0..1 (a prototype may
-- write 0..255: any channel above 1 means that scale), a = 1 when not given.
local function color(c)
  if c == nil or c == json.null then return nil end
  local r, g, b, a
  if c.r or c.g or c.b then r, g, b, a = c.r or 0, c.g or 0, c.b or 0, c.a
  else r, g, b, a = c[1] or 0, c[2] or 0, c[3] or 0, c[4] end
  if r > 1 or g > 1 or b > 1 or (a or 0) > 1 then r, g, b, a = r / 255, g / 255, b / 255, a and a / 255 end
  return { r = f32(r), g = f32(g), b = f32(b), a = f32(a or 1) }
end

local function tile_size(extent)
  if extent <= 0 then return 0 end
  return math.max(1, math.ceil(extent - 1e-6))
end

local function box(b)
  if b == nil or b == json.null then b = { { 0, 0 }, { 0, 0 } } end
  return { left_top = { x = b[1][1], y = b[1][2] }, right_bottom = { x = b[2][1], y = b[2][2] } }
end

-- Returns {tile = name -> proto, entity = name -> proto}, loaded once per path.
function protodata.load(path)
  if cache[path] then return cache[path] end
  local f = assert(io.open(path, "rb"))
  local data = json.decode(f:read("*a"))
  f:close()
  local out = { tile = {}, entity = {}, version = data.factorio_version }
  -- friendly_map_color and enemy_map_color are never nil in 2.0: the engine falls back to the
  -- chart defaults. The data's chart_color_guess follows that chain (friendly > map_color > rail
  -- colours > by type > default); resources have no guess and use their map_color.
  local chart = data.chart_defaults and data.chart_defaults.chart or {}
  local default_friendly = chart.default_friendly_color or { 0, 0.38, 0.57 }
  local default_enemy = chart.default_enemy_color or { 1, 0.1, 0.1 }
  local function chart_color(e, own, guess, default)
    if own ~= nil and own ~= json.null then return color(own) end
    local g = e.chart_color_guess
    if g and g ~= json.null and g[guess] and g[guess] ~= json.null then return color(g[guess]) end
    if e.map_color ~= nil and e.map_color ~= json.null then return color(e.map_color) end
    return color(default)
  end
  for _, t in ipairs(data.tiles) do
    out.tile[t.name] = strict.object("LuaTilePrototype", { name = t.name, type = "tile", map_color = color(t.map_color),
      layer = t.layer, mod = t.mod, valid = true })
  end
  local function entity(e, etype)
    local b = box(e.collision_box)
    out.entity[e.name] = strict.object("LuaEntityPrototype", {
      name = e.name, type = etype or e.type, collision_box = b, selection_box = box(e.selection_box),
      map_color = color(e.map_color),
      friendly_map_color = chart_color(e, e.friendly_map_color, "friendly_255", default_friendly),
      enemy_map_color = chart_color(e, e.enemy_map_color, "enemy_255", default_enemy),
      tile_width = tile_size(b.right_bottom.x - b.left_top.x), tile_height = tile_size(b.right_bottom.y - b.left_top.y),
      infinite_resource = e.infinite, mod = e.mod, valid = true,
    })
  end
  for _, r in ipairs(data.resources) do entity(r, "resource") end
  for _, e in ipairs(data.entities) do entity(e) end
  cache[path] = out
  return out
end

return protodata
