-- Small pure helpers shared by the event families. No game state is touched here.
local util = {}

local floor = math.floor

function util.chunk_of(x, y)
  return floor(x / 32), floor(y / 32)
end

function util.chunk_key(si, cx, cy)
  return si .. ":" .. cx .. ":" .. cy
end

-- A Color (table with r, g, b, a? or an array) as a packet colour array, or nil. Channels are
-- rounded to 3 decimals: the game returns single-precision floats (0.3803921639919281 for
-- 97/255), and 3 decimals still give back every 8-bit channel value exactly.
function util.color(c)
  if not c then return nil end
  local r, g, b, a = c.r or c[1], c.g or c[2], c.b or c[3], c.a or c[4]
  if not (r and g and b) then return nil end
  -- (floor(x * 1000 + 0.5) / 1000 written out, no call per channel: players are sent often)
  r, g, b = floor(r * 1000 + 0.5) / 1000, floor(g * 1000 + 0.5) / 1000, floor(b * 1000 + 0.5) / 1000
  if a then return { r, g, b, floor(a * 1000 + 0.5) / 1000 } end
  return { r, g, b }
end

-- Truncates a string to at most n bytes without splitting a UTF-8 sequence.
function util.truncate_utf8(s, n)
  if #s <= n then return s end
  local cut = n
  while cut > 0 do
    local b = s:byte(cut + 1)
    if not b or b < 0x80 or b >= 0xC0 then break end
    cut = cut - 1
  end
  return s:sub(1, cut)
end

-- Sorts a list of objects by a numeric key (an order that never depends on `pairs`); returns it.
function util.sort_by(list, key)
  table.sort(list, function(a, b) return a[key] < b[key] end)
  return list
end

-- Index of name in a palette list (first use order), appending it when new.
function util.palette_index(list, map, name)
  local i = map[name]
  if not i then
    i = #list
    list[i + 1] = name
    map[name] = i
  end
  return i
end

-- Entity types that are never "buildings" on the map: they move, are terrain decoration, or are
-- resources (sent as chunk_resources). Everything else with a unit_number is a building. Every
-- key is an entity type of 2.0.77 (defines.prototypes.entity), and every type of it is either
-- here or in the test's reviewed list of buildings (mod-tools/tests/test_api.lua).
util.not_building = {
  ["character"] = true, ["unit"] = true, ["spider-unit"] = true, ["segmented-unit"] = true,
  ["car"] = true, ["spider-vehicle"] = true, ["locomotive"] = true, ["cargo-wagon"] = true,
  ["fluid-wagon"] = true, ["artillery-wagon"] = true, ["infinity-cargo-wagon"] = true, ["capture-robot"] = true,
  ["entity-ghost"] = true, ["tile-ghost"] = true,
  ["item-request-proxy"] = true, ["resource"] = true, ["tree"] = true, ["plant"] = true,
  ["simple-entity"] = true, ["fish"] = true, ["corpse"] = true, ["character-corpse"] = true,
  ["item-entity"] = true, ["asteroid"] = true, ["cliff"] = true, ["deconstructible-tile-proxy"] = true,
  ["explosion"] = true, ["projectile"] = true, ["particle-source"] = true, ["sticker"] = true,
  ["fire"] = true, ["stream"] = true, ["smoke-with-trigger"] = true, ["beam"] = true,
  ["highlight-box"] = true, ["speech-bubble"] = true, ["combat-robot"] = true,
  ["construction-robot"] = true, ["logistic-robot"] = true, ["temporary-container"] = true,
  ["rail-remnants"] = true, ["arrow"] = true,
  ["artillery-flare"] = true, ["artillery-projectile"] = true, ["rocket-silo-rocket"] = true,
  ["rocket-silo-rocket-shadow"] = true, ["cargo-pod"] = true, ["spider-leg"] = true, ["lightning"] = true,
  ["segment"] = true,
}

function util.is_building(entity)
  return entity.unit_number ~= nil and not util.not_building[entity.type]
end

return util
