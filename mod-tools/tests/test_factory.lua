-- The factory families beyond their fixtures: the contract checker against the shared packet
-- fixtures, the simulator's output against the contract, Space Age off, the sampler's per-tick
-- work, the full sync after a configuration change and the resync after a load.
local H = require("harness")
local F = require("factory")
local C = require("tests.factory_contract")
local Sim = require("simworld")
local Runtime = require("runtime")
local defines = require("defines")

local PACKETS = Runtime.ROOT .. "/Tests/Fixtures/packets/"

local function factory_lines(lines)
  local out = {}
  for _, l in ipairs(lines) do
    local t = l:match("^KAFKATORIO/1 ([%l_]+) ")
    if t and C.types[t] then out[#out + 1] = H.parse(l) end
  end
  return out
end

local function count(lines)
  local n = {}
  for _, l in ipairs(lines) do
    local t = l:match("^KAFKATORIO/1 ([%l_]+) ")
    if t then n[t] = (n[t] or 0) + 1 end
  end
  return n
end

local function assert_contract(packets, where)
  for _, p in ipairs(packets) do
    local reason, field = C.check(p.type, p.payload)
    if reason then error(string.format("%s: %s (%s) in %s", where, reason, tostring(field), p.raw:sub(1, 200)), 0) end
  end
end

return {
  { "factory contract: every valid fixture passes, every invalid one fails with its reason", function()
    local valid = factory_lines(H.fixture_lines(PACKETS .. "valid.txt"))
    local seen = {}
    for _, p in ipairs(valid) do seen[p.type] = true end
    for t in pairs(C.types) do assert(seen[t], "valid.txt lacks " .. t) end
    assert_contract(valid, "valid.txt")
    local checked = 0
    for _, row in ipairs(H.fixture_lines(PACKETS .. "invalid.tsv")) do
      local want, line = row:match("^([%w_]+)\t(.*)$")
      local t = line and line:match("^KAFKATORIO/1 ([%l_]+) ")
      if t and C.types[t] and want ~= "invalid_json" then -- duplicate keys: the stand-in's JSON keeps the last
        local p = H.parse(line)
        local got = C.check(p.type, p.payload)
        assert(got == want, string.format("%s: want %s, got %s", line, want, tostring(got)))
        checked = checked + 1
      end
    end
    assert(checked >= 35, "too few invalid factory fixtures: " .. checked)
  end },
  { "factory: the simulator's tags, stops, trains and platform keep the contract", function()
    local lines = {}
    local sim = Sim.new({ seed = 4, players = 3, build_rate = 30, world_chunks = 16, stations = 6, trains = 5,
      space_age = true, out = function(l) lines[#lines + 1] = l end, join_spread = 60,
      settings = { ["kafkatorio-live-refresh-ticks"] = 1200 } })
    sim:run(4000)
    local n = count(lines)
    for _, t in ipairs({ "chart_tag", "chart_tags", "train_stop", "train", "space_platform" }) do
      assert((n[t] or 0) > 0, "the simulator printed no " .. t)
    end
    -- 5 trains sampled every 60 ticks for 4000 ticks: at most one packet per train per sample
    -- beyond the state changes.
    assert(n.train < 5 * (4000 / 60) * 2, "too many train packets: " .. n.train)
    assert_contract(factory_lines(lines), "sim")
  end },
  { "factory: the mod sees tags, stops, trains and platforms through the strict layer", function()
    local rt = H.game({})
    local s = H.lab(rt)
    local force = rt.forces_by_name.player
    local tag = rt:to_mod(F.add_tag(rt, force, s, { position = { 1, 2 }, text = "a" }, nil))
    local stop = F.build_stop(rt, s, 5, 5, "Stop")
    local train = rt:to_mod(F.create_train(rt, s, { { "locomotive", 9, 9, 0 } }))
    local p = rt:to_mod(F.create_platform(rt, force, "P", "nauvis"))
    assert(tag.position.x == 1 and tag.icon == nil and train.carriages[1].train == train and p.hub.valid)
    assert(rt.env.game.get_entity_by_unit_number(stop.unit_number).backer_name == "Stop")
    H.fails_with("LuaCustomChartTag doesn't contain key number.", function() return tag.number end)
    H.fails_with("LuaTrain doesn't contain key stops.", function() return train.stops end)
    H.fails_with("LuaTrain::id is read only.", function() train.id = 5 end)
    H.fails_with("LuaSpacePlatform doesn't contain key location.", function() return p.location end)
    H.fails_with("LuaTrainManager.get_train_by_id argument train_id: expected uint32, got string 1",
      function() rt.env.game.train_manager.get_train_by_id("1") end)
    H.fails_with("on_train_created.train: expected LuaTrain, got LuaSpacePlatform",
      function() rt:raise("on_train_created", { train = rt.factory.platforms[1] }) end)
    F.destroy_train(rt, rt.factory.trains[1])
    H.fails_with("LuaTrain API call when LuaTrain was invalid.", function() return train.state end)
  end },
  { "factory: without Space Age there is no platform packet at all", function()
    local rt = H.game({ settings = { ["kafkatorio-train-sample-ticks"] = 10 } })
    local p = F.create_platform(rt, rt.forces_by_name.player, "Ghost", "nauvis")
    H.run(rt, 30)
    F.depart(rt, p, "vulcanus")
    H.run(rt, 30)
    assert((count(rt.lines).space_platform or 0) == 0, "a platform packet without Space Age")
    F.enable_space_age(rt)
    H.run(rt, 11)
    assert(count(rt.lines).space_platform == 1, "no platform packet with Space Age")
  end },
  { "factory: the sampler looks at ceil(n / interval) trains a tick, each once per interval", function()
    local rt = H.game({})
    local s = rt:create_surface("lab", { empty = "grass-1" })
    for i = 1, 200 do F.create_train(rt, s, { { "locomotive", i * 10, 0, 0 } }) end
    H.run(rt, 90) -- the 200 on_train_created packets are printed (7 a tick); nothing moves after
    local lookups, per_id = {}, {}
    local get = rt.game.train_manager.get_train_by_id
    rt.game.train_manager.get_train_by_id = function(id)
      lookups[rt.tick] = (lookups[rt.tick] or 0) + 1
      per_id[id] = (per_id[id] or 0) + 1
      return get(id)
    end
    H.run(rt, 60)
    for tick, n in pairs(lookups) do assert(n <= 4, "tick " .. tick .. " looked at " .. n .. " trains") end
    for id = 1, 200 do assert(per_id[id] == 1, "train " .. id .. " looked at " .. tostring(per_id[id]) .. " times") end
  end },
  { "factory: moving trains sliced over the interval are each sent within it; one destroyed mid-slice sends train_removed and nothing more", function()
    local every = 10
    local rt = H.game({ settings = { ["kafkatorio-train-sample-ticks"] = every } })
    local s = rt:create_surface("lab", { empty = "grass-1" })
    local list = {}
    for i = 1, 30 do list[i] = F.create_train(rt, s, { { "locomotive", i * 10, 0, 0 } }) end
    H.run(rt, 20) -- the 30 on_train_created packets
    local first = #rt.lines + 1
    local start = rt.tick
    local doomed, doomed_id = list[17], list[17].id
    local function step()
      for _, t in ipairs(list) do
        if t.valid then F.move_train(rt, t, { { t.carriages[1].position.x + 0.5, 0, 0 } }) end
      end
      H.run(rt, 1)
    end
    -- destroyed in the middle of an interval: after a part of the slices, before its own
    while rt.tick % every ~= 3 do step() end
    for _ = 1, 2 * every do step() end
    while rt.tick % every ~= 5 do step() end
    F.destroy_train(rt, doomed)
    for _ = 1, 4 * every do step() end
    local stop = rt.tick
    local sent = {}
    for _, p in ipairs(H.packets(H.since(rt, first), "train")) do
      local id = p.payload.id
      sent[id] = sent[id] or {}
      table.insert(sent[id], p.tick)
    end
    local removals = H.packets(H.since(rt, first), "train_removed")
    assert(#removals == 1 and removals[1].payload.id == doomed_id, "expected one train_removed for " .. doomed_id)
    for _, p in ipairs(H.packets(H.since(rt, first), "train")) do
      assert(not (p.payload.id == doomed_id and p.seq > removals[1].seq), "a train packet after train_removed")
    end
    for _, t in ipairs(list) do
      if t ~= doomed then
        local ticks = sent[t.id] or {}
        local last = start
        for _, tick in ipairs(ticks) do
          assert(tick - last <= every, "train " .. t.id .. " not sent between ticks " .. last .. " and " .. tick)
          last = tick
        end
        assert(stop - last <= every, "train " .. t.id .. " not sent after tick " .. last)
      end
    end
  end },
  { "factory: a configuration change and a load send every tag, stop, train and platform again", function()
    local rt = H.game({ no_start = true })
    F.enable_space_age(rt)
    rt:start()
    local s = rt:create_surface("lab", { empty = "grass-1" })
    F.add_tag(rt, rt.forces_by_name.player, s, { position = { 1, 1 }, text = "a" })
    F.build_stop(rt, s, 5, 5, "Stop")
    F.create_train(rt, s, { { "locomotive", 9, 9, 0 } })
    F.create_platform(rt, rt.forces_by_name.player, "P", "nauvis")
    H.run(rt, 70)
    local saved = rt:save()
    for _, changed in ipairs({ { mod_changes = {} }, false }) do
      rt:load(saved, changed or nil)
      local n = count(H.run(rt, 40))
      for _, t in ipairs({ "chart_tag", "chart_tags", "train_stop", "train", "space_platform" }) do
        assert((n[t] or 0) >= 1, (changed and "configuration change" or "load") .. " did not send " .. t)
      end
    end
    assert(defines.events.on_chart_tag_added, "defines extended")
  end },
}
