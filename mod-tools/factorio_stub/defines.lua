-- defines.* of the Factorio 2.0 runtime API (the subset the mod and the stand-in use; names from
-- the 2.0.75 runtime API JSON, see ../shared/research/factorio.md section 3).
local defines = {}

local event_names = {
  "on_tick", "on_init_placeholder",
  "on_chunk_generated", "on_chunk_charted", "on_chunk_deleted", "on_pre_chunk_deleted", "on_sector_scanned",
  "on_player_built_tile", "on_robot_built_tile", "on_space_platform_built_tile",
  "on_player_mined_tile", "on_robot_mined_tile", "on_space_platform_mined_tile", "script_raised_set_tiles",
  "on_built_entity", "on_robot_built_entity", "on_space_platform_built_entity", "script_raised_built",
  "script_raised_revive", "on_entity_cloned", "on_player_rotated_entity", "on_player_flipped_entity",
  "on_player_mined_entity", "on_robot_mined_entity", "on_space_platform_mined_entity", "on_entity_died",
  "on_post_entity_died", "script_raised_destroy", "on_object_destroyed", "on_resource_depleted",
  "on_player_created", "on_player_joined_game", "on_pre_player_left_game", "on_player_left_game",
  "on_player_removed", "on_player_changed_position", "on_player_changed_surface", "on_player_died",
  "on_player_respawned", "on_player_kicked", "on_player_banned",
  "on_surface_created", "on_pre_surface_deleted", "on_surface_deleted", "on_surface_renamed",
  "on_pre_surface_cleared", "on_surface_cleared", "on_surface_imported",
  "on_force_created", "on_console_chat", "on_console_command", "on_runtime_mod_setting_changed",
}
defines.events = {}
for i, name in ipairs(event_names) do defines.events[name] = i - 1 end
defines.events.on_init_placeholder = nil
defines.event_names = {}
for name, id in pairs(defines.events) do defines.event_names[id] = name end

defines.target_type = { entity = 1, gui_element = 2, render_object = 3, surface = 4, space_platform = 5,
  planet = 6, commandable = 7, custom_chart_tag = 8, equipment = 9, equipment_grid = 10,
  item = 11, logistic_cell = 12, logistic_network = 13, train = 14, player = 15 }
defines.direction = { north = 0, northnortheast = 1, northeast = 2, eastnortheast = 3, east = 4,
  eastsoutheast = 5, southeast = 6, southsoutheast = 7, south = 8, southsouthwest = 9, southwest = 10,
  westsouthwest = 11, west = 12, westnorthwest = 13, northwest = 14, northnorthwest = 15 }
defines.disconnect_reason = { quit = 0, dropped = 1, reconnect = 2, wrong_input = 3, desync_limit_reached = 4,
  cannot_keep_up = 5, afk = 6, kicked = 7, kicked_and_deleted = 8, banned = 9, switching_servers = 10 }
defines.controllers = { ghost = 0, character = 1, god = 2, editor = 3, cutscene = 4, spectator = 5, remote = 6 }

return defines
