--[[ The mod's runtime-global settings (settings.lua), read through a cache: `config.values[name]`
is `settings.global[name].value`, read from the game the first time a name is asked for and kept
until that setting changes (a read costs one table index instead of three lookups and a call, and
the hot paths read several settings every tick).

The cache is peer-local Lua state, not `storage`, and that is safe: it only ever holds what
settings.global holds, which is identical on every peer (it is part of the map and every change
is an input action all peers apply at the same point). It is emptied whenever a setting may have
changed: on_init, on_load, on_configuration_changed (control.lua) and
on_runtime_mod_setting_changed (a player in the mod settings GUI, or a script writing
settings.global, which raises that event too); the next read takes the new value, so a change
takes effect at once. Nothing is written to `storage`.
]]
local config = {}

local cache = {}
setmetatable(cache, { __index = function(t, name)
  local v = settings.global[name].value
  rawset(t, name, v)
  return v
end })

--- name -> current value of a runtime-global setting (read it as `values["kafkatorio-…"]`).
config.values = cache

--- Forgets the cached value of `name`, or of every setting when name is nil.
function config.invalidate(name)
  if name then
    rawset(cache, name, nil)
    return
  end
  for k in pairs(cache) do rawset(cache, k, nil) end -- (order is of no consequence here)
end

--- on_runtime_mod_setting_changed {setting, setting_type, player_index?}
function config.on_setting_changed(event)
  if event.setting_type == "runtime-global" then config.invalidate(event.setting) end
end

return config
