--[[ `make bench-mod ARGS="--profile 1"`: where the mod's handler time goes. A count hook (every
`every` VM instructions) charges the CPU time since the previous hook to the running function and
to the innermost frame of the mod's own code (mod/…) on the stack, only while a mod handler runs
(Runtime:measure). Hook overhead inflates the totals; the shares are what it is for.
]]
local Profiler = {}

local function key(info) return info.short_src:gsub("^.*/mod%-tools/", ""):gsub("^.*/mod/", "mod/") .. ":" .. info.linedefined end

-- Installs the hook on rt (a Runtime); returns the profiler (report() prints the top entries).
function Profiler.install(rt, every, natives, skip)
  local self = { own = {}, mod = {}, total = 0, native = 0 }
  local inside, last = 0, 0
  local getinfo, clock = debug.getinfo, os.clock
  local function hook()
    if inside == 0 then return end
    local now = clock()
    local dt = now - last
    last = now
    if skip and skip() then return end
    self.total = self.total + dt
    local top = getinfo(2, "S")
    if not top then return end
    local level, m, native = 2, nil, false
    while true do
      local info = getinfo(level, "Sf")
      if not info then break end
      if info.func == nil then break end
      if natives[info.func] then native = true; break end
      if not m and (info.short_src:find("/mod/", 1, true) or info.short_src:find("^mod/")) then m = key(info) end
      level = level + 1
    end
    if native then
      self.native = self.native + dt
      return
    end
    local k = key(top)
    self.own[k] = (self.own[k] or 0) + dt
    if m then self.mod[m] = (self.mod[m] or 0) + dt end
  end
  local measure = rt.measure
  rt.measure = function(r, f, arg)
    inside = inside + 1
    if inside == 1 then last = clock() end
    measure(r, f, arg)
    inside = inside - 1
  end
  debug.sethook(hook, "", every or 1000)
  function self.report(n)
    for _, t in ipairs({ { "innermost mod function", self.mod }, { "running function (stand-in included)", self.own } }) do
      local list = {}
      for k, v in pairs(t[2]) do list[#list + 1] = { k, v } end
      table.sort(list, function(a, b) return a[2] > b[2] end)
      print(string.format("  profile, Lua only, by %s (%% of %.2f s sampled; %.2f s in the natives not counted):", t[1],
        self.total - self.native, self.native))
      for i = 1, math.min(n or 25, #list) do
        print(string.format("    %5.1f%%  %s", 100 * list[i][2] / (self.total - self.native), list[i][1]))
      end
    end
  end
  return self
end

return Profiler
