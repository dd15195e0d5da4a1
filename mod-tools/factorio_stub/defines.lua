-- defines.* of the Factorio 2.0.77 runtime API, read from the official JSON (api.lua): every
-- define and value the game has, no more. `for_mod` is the table the mod sees as `defines`; the
-- stand-in's own `event_names` (event id -> name) sits beside it and is not given to the mod.
local api = require("api")

local pure = api.get().defines
local defines = {}
for k, v in pairs(pure) do defines[k] = v end
defines.for_mod = pure
defines.event_names = {}
for name, id in pairs(pure.events) do defines.event_names[id] = name end

return defines
