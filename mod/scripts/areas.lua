-- Splitting a chunk's buildings or resources into areas so every line stays under the limit
-- (docs/packets.md "Split rule": disjoint areas that cover the chunk, each complete).
local emitter = require("scripts.emitter")

local areas = {}

-- Area {x0, y0, x1, y1} of a whole chunk.
function areas.chunk(cx, cy)
  return { cx * 32, cy * 32, cx * 32 + 32, cy * 32 + 32 }
end

local function whole(a, cx, cy)
  return a[1] == cx * 32 and a[2] == cy * 32 and a[3] == cx * 32 + 32 and a[4] == cy * 32 + 32
end
areas.whole = whole

-- Halves an area along its longer side.
function areas.halve(a)
  local w, h = a[3] - a[1], a[4] - a[2]
  if w >= h then
    local mid = a[1] + math.floor(w / 2)
    return { a[1], a[2], mid, a[4] }, { mid, a[2], a[3], a[4] }
  end
  local mid = a[2] + math.floor(h / 2)
  return { a[1], a[2], a[3], mid }, { a[1], mid, a[3], a[4] }
end

-- Builds parts for `todo` areas with payload_fn(area) -> payload table or nil (= skip), splitting
-- any area whose line would exceed SPLIT_TARGET. Each part carries its area.
function areas.build(ptype, tick, todo, payload_fn)
  local parts = {}
  local stack = {}
  for i = #todo, 1, -1 do stack[#stack + 1] = todo[i] end
  while #stack > 0 do
    local a = table.remove(stack)
    local payload = payload_fn(a)
    if payload then
      local body = emitter.encode(payload)
      if emitter.cost(ptype, tick, body) > emitter.SPLIT_TARGET and (a[3] - a[1] > 1 or a[4] - a[2] > 1) then
        local l, r = areas.halve(a)
        stack[#stack + 1] = r
        stack[#stack + 1] = l
      else
        parts[#parts + 1] = { type = ptype, body = body, area = a }
      end
    end
  end
  return parts
end

return areas
