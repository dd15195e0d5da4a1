-- The mod's Lua test suite: `lua5.2 mod-tools/run_tests.lua [--update-fixtures] [filter]`.
-- Prints one line per test and a closing "lua: N passed, M failed"; exits 1 on any failure.
local dir = (arg[0]:match("^(.*)/[^/]*$") or ".")
package.path = dir .. "/?.lua;" .. dir .. "/factorio_stub/?.lua;" .. package.path

local update, filter = false, nil
for _, a in ipairs(arg) do
  if a == "--update-fixtures" then update = true else filter = a end
end
_G.UPDATE_FIXTURES = update

local files = { "tests/test_tooling.lua", "tests/test_families.lua", "tests/test_events.lua", "tests/test_api.lua",
  "tests/test_properties.lua", "tests/test_factory.lua", "tests/test_settings.lua", "tests/test_hotpaths.lua" }
local passed, failed = 0, 0
local t0 = os.clock()
for _, file in ipairs(files) do
  local suite = dofile(dir .. "/" .. file)
  for _, case in ipairs(suite) do
    local name, fn = case[1], case[2]
    if not filter or name:find(filter, 1, true) then
      local started = os.clock()
      local ok, err = xpcall(fn, debug.traceback)
      if ok then
        passed = passed + 1
        print(string.format("lua ✔ %s (%.2f s)", name, os.clock() - started))
      else
        failed = failed + 1
        print(string.format("lua ✘ %s: %s", name, tostring(err)))
      end
    end
  end
end
print(string.format("lua: %d passed, %d failed (%.1f s cpu)", passed, failed, os.clock() - t0))
os.exit(failed == 0 and 0 or 1)
