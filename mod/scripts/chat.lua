-- Chat: on_console_chat {message, player_index?} (plain messages only; commands are not chat).
local util = require("scripts.util")
local emitter = require("scripts.emitter")

local chat = {}

function chat.on_console_chat(event)
  local payload = { message = util.truncate_utf8(event.message or "", 4096) }
  if event.player_index then
    local p = game.get_player(event.player_index)
    if p then payload.player = p.name end
  end
  emitter.send("hi", "chat", payload)
end

return chat
