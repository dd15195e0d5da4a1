-- The stand-in's own pieces against the shared fixtures: the JSON decoder and inflate read every
-- line of Tests/Fixtures/packets/valid.txt (including the zlib and raw-DEFLATE `~` lines made by
-- Python's zlib), and encode_string round-trips.
local H = require("harness")
local zlib = require("zlib")
local json = require("json")
local Runtime = require("runtime")

local VALID = Runtime.ROOT .. "/Tests/Fixtures/packets/valid.txt"

return {
  { "tooling parses every line of valid.txt", function()
    local lines = H.fixture_lines(VALID)
    assert(#lines >= 30, "valid.txt has too few lines")
    local types, compressed = {}, 0
    for _, l in ipairs(lines) do
      local p = H.parse(l)
      types[p.type] = true
      if p.compressed then compressed = compressed + 1 end
      assert(type(p.payload) == "table", "payload is not an object: " .. l)
    end
    assert(compressed >= 3, "expected the compressed fixture lines")
    for _, t in ipairs({ "session_start", "prototypes", "surface", "chunk_terrain", "chunk_buildings", "chunk_resources",
      "chunk_deleted", "tiles", "buildings", "building_removed", "player", "chat" }) do
      assert(types[t], "valid.txt lacks " .. t)
    end
  end },
  { "tooling encode_string is zlib DEFLATE + base64 that inflates back", function()
    local rt = H.game({ no_start = true })
    local samples = { "", "a", string.rep("abc", 1000), json.encode({ runs = { 300, 0, 24, 1, 8, 2 }, palette = { "grass-1" } }) }
    local seed = 7
    local noise = {}
    for i = 1, 5000 do seed = (seed * 1103515245 + 12345) % 2147483648; noise[i] = string.char(seed % 256) end
    samples[#samples + 1] = table.concat(noise)
    for _, s in ipairs(samples) do
      local enc = rt.helpers.encode_string(s)
      assert(enc and enc:match("^[A-Za-z0-9+/]*=*$"), "not base64")
      local bin = zlib.base64_decode(enc)
      assert(bin:byte(1) == 0x78 and (bin:byte(1) * 256 + bin:byte(2)) % 31 == 0, "no zlib header")
      assert(zlib.decompress(bin) == s, "round trip failed")
      assert(rt.helpers.decode_string(enc) == s)
    end
    assert(#rt.helpers.encode_string(samples[3]) < 200, "repetitive input did not compress")
  end },
  { "tooling table_to_json prints integers plainly and escapes control characters", function()
    assert(json.encode({ 1, 2.5, -0.0, 1e-05, 12.00390625 }) == "[1,2.5,0,1e-05,12.00390625]", json.encode({ 1, 2.5, -0.0, 1e-05, 12.00390625 }))
    assert(json.encode({ a = "x\"\n\1é" }) == '{"a":"x\\"\\n\\u0001é"}')
    assert(json.encode({}) == "{}")
    assert(not pcall(json.encode, { 0 / 0 }))
  end },
}
