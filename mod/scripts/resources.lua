-- Resources: amounts per chunk (chunk_resources), on_resource_depleted, and a slow refresh of
-- the amounts (mining changes them without any event).
local util = require("scripts.util")
local areas = require("scripts.areas")

local resources = {}
local floor = math.floor

function resources.payload(surface, cx, cy, a, skip_empty)
  local found = surface.find_entities_filtered({ area = { { a[1], a[2] }, { a[3], a[4] } }, type = "resource" })
  -- One pass, no table per cell: cells stay in find_entities_filtered order (deterministic in the
  -- game); consumers replace the area as a whole, so order carries no meaning and sorting 1024
  -- cells is not worth a millisecond.
  -- (util.palette_index written out: a cell of a known name costs one lookup, no call)
  local names, map, cells, k, size = {}, {}, {}, 0, 0
  local x0, y0 = cx * 32, cy * 32
  local x1, y1, x2, y2 = a[1], a[2], a[3], a[4]
  for i = 1, #found do
    local e = found[i]
    local p = e.position
    local tx, ty = floor(p.x), floor(p.y)
    if tx >= x1 and tx < x2 and ty >= y1 and ty < y2 then
      local name = e.name
      local index = map[name]
      if not index then
        index = size
        size = size + 1
        names[size] = name
        map[name] = index
      end
      cells[k + 1] = tx - x0; cells[k + 2] = ty - y0
      cells[k + 3] = index; cells[k + 4] = e.amount
      k = k + 4
    end
  end
  if k == 0 and skip_empty then return nil end
  local payload = { surface = surface.name, cx = cx, cy = cy, names = names, cells = cells }
  if not areas.whole(a, cx, cy) then payload.area = a end
  return payload, k / 4
end

-- Builder: also records whether the chunk has resources (for the slow refresh), storage lane only.
function resources.parts(item, tick, surface, register)
  local todo = item.areas or { areas.chunk(item.cx, item.cy) }
  local any = false
  local parts = areas.build("chunk_resources", tick, todo, function(a)
    local payload, n = resources.payload(surface, item.cx, item.cy, a, item.skip_empty)
    if n and n > 0 then any = true end
    return payload
  end)
  if register and not item.areas then
    local entry = storage.chunks.list[storage.chunks.index[util.chunk_key(item.si, item.cx, item.cy)] or 0]
    if entry then entry.res = any end
  end
  return parts
end

return resources
