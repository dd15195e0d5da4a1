-- Chart tags: added / modified (by any player or a script) / removed, and the full sync (every tag
-- of a surface and force, then their `chart_tags` set) at init, configuration change, after a
-- load and by the refresh (setting kafkatorio-live-refresh-ticks). docs/packets.md "The factory".
local util = require("scripts.util")
local emitter = require("scripts.emitter")

local tags = {}

local LABEL = 1024

function tags.init_storage()
  -- sets[force_index .. ":" .. surface_index] = true while that set was last sent non-empty (so
  -- the set that lost its last tag is sent once more, empty).
  storage.tags = storage.tags or { sets = {} }
end

function tags.payload(t)
  local p = t.position
  local out = { tag = t.tag_number, surface = t.surface.name, force = t.force.name, x = p.x, y = p.y,
    text = util.truncate_utf8(t.text or "", LABEL) }
  local icon = t.icon
  if icon and icon.name then out.icon = { type = icon.type or "item", name = icon.name } end
  local u = t.last_user
  if u and u.valid then out.last_user = u.name end
  return out
end

-- on_chart_tag_added / on_chart_tag_modified {tag, force, player_index?, old_*}: the state now.
function tags.on_changed(event)
  local t = event.tag
  if not (t and t.valid) then return end
  emitter.send("hi", "chart_tag", tags.payload(t))
end

-- on_chart_tag_removed {tag, force, player_index?}: the tag is still valid here.
function tags.on_removed(event)
  local t = event.tag
  if not (t and t.valid) then return end
  emitter.send("hi", "chart_tag_removed", { tag = t.tag_number, surface = t.surface.name, force = t.force.name })
end

local function sorted_tags(force, surface) return util.sort_by(force.find_chart_tags(surface), "tag_number") end

--[[ The sync builder: every tag of (force, surface), then the set. Each part carries a resume
marker in `area` (the emitter keeps the markers of the parts it could not print this tick and the
item is rebuilt from those): a tag number, or "set". `register` false = local lane (read-only). ]]
function tags.build(item, tick, register)
  local force, surface = game.forces[item.fi], game.get_surface(item.si)
  if not (force and surface and surface.valid) then return {} end
  local todo = nil
  if item.areas then
    todo = {}
    for _, m in ipairs(item.areas) do todo[m] = true end
  end
  local parts, numbers = {}, {}
  for _, t in ipairs(sorted_tags(force, surface)) do
    numbers[#numbers + 1] = t.tag_number
    if not todo or todo[t.tag_number] then
      parts[#parts + 1] = { type = "chart_tag", body = emitter.encode(tags.payload(t)), area = t.tag_number }
    end
  end
  local key = item.fi .. ":" .. item.si
  local known = storage.tags.sets[key]
  if (#numbers > 0 or known) and (not todo or todo.set) then
    parts[#parts + 1] = { type = "chart_tags", area = "set",
      body = emitter.encode({ surface = surface.name, force = force.name, tags = numbers }) }
    if register then storage.tags.sets[key] = #numbers > 0 or nil end
  end
  return parts
end

-- Queues the sync of every (force, surface), forces and surfaces in index order.
function tags.queue_all(lane, forces, surfaces)
  for _, f in ipairs(forces) do
    for _, s in ipairs(surfaces) do
      emitter.enqueue(lane, "tags:" .. f.index .. ":" .. s.index, { kind = "tags", fi = f.index, si = s.index })
    end
  end
end

-- The local-lane resync: every part, built read-only.
function tags.resync_parts(forces, surfaces, tick)
  local parts = {}
  for _, f in ipairs(forces) do
    for _, s in ipairs(surfaces) do
      for _, p in ipairs(tags.build({ fi = f.index, si = s.index }, tick, false)) do parts[#parts + 1] = p end
    end
  end
  return parts
end

return tags
