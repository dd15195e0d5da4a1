-- Runtime-global settings: the output budget and the debounce/throttle windows.
local function int(name, order, default, min, max)
  return { type = "int-setting", name = "kafkatorio-" .. name, setting_type = "runtime-global",
    order = order, default_value = default, minimum_value = min, maximum_value = max }
end

data:extend({
  int("packets-per-tick", "a", 8, 2, 1000),
  int("bytes-per-tick", "b", 49152, 32768, 4194304),
  int("player-throttle-ticks", "c", 15, 1, 3600),
  int("batch-ticks", "d", 6, 0, 600),
  int("rechart-ticks", "e", 18000, 60, 5184000),
  int("sweep-ticks", "f", 30, 0, 216000),
  int("resource-refresh-ticks", "g", 300, 0, 216000),
  int("daytime-ticks", "h", 3600, 0, 216000),
  int("afk-minutes", "i", 5, 1, 1440),
  int("compress-min-bytes", "j", 1024, 64, 65536),
  int("train-sample-ticks", "k", 60, 1, 3600),
  int("live-refresh-ticks", "l", 18000, 0, 5184000),
})
