-- Prototypes: tile and entity map colours, collision boxes and tile sizes, on init and on every
-- configuration change, split into packets under the line limit.
local util = require("scripts.util")
local emitter = require("scripts.emitter")

local protos = {}

local function sorted_names(custom_table)
  local names = {}
  for name in pairs(custom_table) do names[#names + 1] = name end
  table.sort(names)
  return names
end

local function round(x) return math.floor(x * 1000 + 0.5) / 1000 end

function protos.entity_entry(p)
  local box = p.collision_box
  local lt, rb = box.left_top, box.right_bottom
  local e = {
    name = p.name, type = p.type,
    box = { round(lt.x), round(lt.y), round(rb.x), round(rb.y) },
    w = math.min(256, p.tile_width), h = math.min(256, p.tile_height),
  }
  e.color = util.color(p.map_color)
  e.friendly_color = util.color(p.friendly_map_color)
  e.enemy_color = util.color(p.enemy_map_color)
  return e
end

-- The payload tables, in name order, split so that each line stays under SPLIT_TARGET.
function protos.payloads()
  local items = {}
  for _, name in ipairs(sorted_names(prototypes.tile)) do
    local t = prototypes.tile[name]
    local c = util.color(t.map_color)
    if c then items[#items + 1] = { "tiles", { name = name, color = c } } end
  end
  for _, name in ipairs(sorted_names(prototypes.entity)) do
    local p = prototypes.entity[name]
    -- resources, and buildings that occupy tiles (effects and the like have no collision box)
    if p.type == "resource" or (not util.not_building[p.type] and (p.tile_width > 0 or p.tile_height > 0)) then
      items[#items + 1] = { "entities", protos.entity_entry(p) }
    end
  end
  local out, cur, size = {}, { tiles = {}, entities = {} }, 0
  local budget = emitter.SPLIT_TARGET - 200
  for _, it in ipairs(items) do
    local n = #helpers.table_to_json(it[2]) + 1
    if size + n > budget then
      out[#out + 1] = cur
      cur, size = { tiles = {}, entities = {} }, 0
    end
    local list = cur[it[1]]
    list[#list + 1] = it[2]
    size = size + n
  end
  out[#out + 1] = cur
  for _, p in ipairs(out) do
    if #p.tiles == 0 then p.tiles = nil end
    if #p.entities == 0 then p.entities = nil end
  end
  return out
end

-- Queues the prototype packets under the keys "prototypes:1".."prototypes:n", so that a second
-- snapshot before the first was sent (on_init then on_configuration_changed when the mod is
-- added to an existing save) replaces it instead of sending it twice: a part still pending gets
-- the newest payload, and pending parts beyond the new count are dropped.
function protos.queue()
  local payloads = protos.payloads()
  for i, payload in ipairs(payloads) do
    local item = emitter.enqueue("hi", "prototypes:" .. i, { kind = "ready", type = "prototypes", payload = payload })
    item.payload = payload
  end
  for i = #payloads + 1, storage.prototype_parts or 0 do emitter.cancel("prototypes:" .. i) end
  storage.prototype_parts = #payloads
end

return protos
