-- LuaTilePrototype / LuaEntityPrototype stand-ins built from the real 2.0 prototype data
-- (Tests/Fixtures/prototypes-2.0.json: a Lua 5.2 run of the game's own data stage).
local json = require("json")

local protodata = {}
local cache = {}

local function color(c)
  if c == nil or c == json.null then return nil end
  if c.r then return { r = c.r, g = c.g, b = c.b, a = c.a } end
  return { r = c[1], g = c[2], b = c[3], a = c[4] }
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
  for _, t in ipairs(data.tiles) do
    out.tile[t.name] = { name = t.name, type = "tile", map_color = color(t.map_color), layer = t.layer,
      mod = t.mod, valid = true, object_name = "LuaTilePrototype" }
  end
  local function entity(e, etype)
    local b = box(e.collision_box)
    out.entity[e.name] = {
      name = e.name, type = etype or e.type, collision_box = b, selection_box = box(e.selection_box),
      map_color = color(e.map_color), friendly_map_color = color(e.friendly_map_color),
      enemy_map_color = color(e.enemy_map_color),
      tile_width = tile_size(b.right_bottom.x - b.left_top.x), tile_height = tile_size(b.right_bottom.y - b.left_top.y),
      infinite_resource = e.infinite, mod = e.mod, valid = true, object_name = "LuaEntityPrototype",
    }
  end
  for _, r in ipairs(data.resources) do entity(r, "resource") end
  for _, e in ipairs(data.entities) do entity(e) end
  cache[path] = out
  return out
end

return protodata
