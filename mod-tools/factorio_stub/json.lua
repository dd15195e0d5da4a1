-- JSON for the Factorio API stand-in: helpers.table_to_json / helpers.json_to_table, and the
-- decoder the tests use to compare payloads. Encoding follows what table_to_json does for plain
-- tables: a table whose keys are exactly 1..n (n >= 1) is an array, anything else (including the
-- empty table) an object; integral numbers print without a fraction; strings are raw UTF-8 with
-- the JSON escapes. Object keys are sorted so the stand-in's output is reproducible run to run.
local json = {}

local format, byte, char, concat, floor = string.format, string.byte, string.char, table.concat, math.floor
local huge = math.huge

json.null = setmetatable({}, { __tostring = function() return "null" end })

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
  ['\b'] = '\\b', ['\f'] = '\\f' }
local function escape_char(c)
  return escapes[c] or format("\\u%04x", byte(c))
end
local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', escape_char) .. '"'
end
json.encode_string = encode_string

local function encode_number(x)
  if x ~= x or x == huge or x == -huge then error("table_to_json: non-finite number", 3) end
  if x == floor(x) and x >= -9007199254740992 and x <= 9007199254740992 then
    if x == 0 then return "0" end
    return format("%d", x)
  end
  for digits = 14, 17 do
    local s = format("%." .. digits .. "g", x)
    if tonumber(s) == x then return s end
  end
  return format("%.17g", x)
end
json.encode_number = encode_number

local encode_value
local function encode_table(t, out, n)
  local len = #t
  local is_array = len > 0
  if is_array then
    local count = 0
    for _ in pairs(t) do count = count + 1 end
    is_array = count == len
  end
  if is_array then
    n = n + 1; out[n] = "["
    for i = 1, len do
      if i > 1 then n = n + 1; out[n] = "," end
      n = encode_value(t[i], out, n)
    end
    n = n + 1; out[n] = "]"
    return n
  end
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" and type(k) ~= "number" then error("table_to_json: bad key type " .. type(k), 3) end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  n = n + 1; out[n] = "{"
  for i, k in ipairs(keys) do
    if i > 1 then n = n + 1; out[n] = "," end
    n = n + 1; out[n] = encode_string(tostring(k)) .. ":"
    n = encode_value(t[k], out, n)
  end
  n = n + 1; out[n] = "}"
  return n
end

encode_value = function(v, out, n)
  local tv = type(v)
  if tv == "string" then n = n + 1; out[n] = encode_string(v)
  elseif tv == "number" then n = n + 1; out[n] = encode_number(v)
  elseif tv == "boolean" then n = n + 1; out[n] = v and "true" or "false"
  elseif v == nil or v == json.null then n = n + 1; out[n] = "null"
  elseif tv == "table" then n = encode_table(v, out, n)
  else error("table_to_json: cannot encode " .. tv, 3) end
  return n
end

function json.encode(v)
  local out = {}
  encode_value(v, out, 0)
  return concat(out)
end

-- Decoder ------------------------------------------------------------------------------------
local function decode_error(s, i, msg)
  error(format("json: %s at byte %d", msg, i), 0)
end

local function skip(s, i)
  local _, e = s:find("^[ \t\r\n]*", i)
  return e + 1
end

local function utf8_char(cp)
  if cp < 0x80 then return char(cp)
  elseif cp < 0x800 then return char(0xC0 + floor(cp / 64), 0x80 + cp % 64)
  elseif cp < 0x10000 then return char(0xE0 + floor(cp / 4096), 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64)
  else return char(0xF0 + floor(cp / 262144), 0x80 + floor(cp / 4096) % 64, 0x80 + floor(cp / 64) % 64, 0x80 + cp % 64) end
end

local decode_value
local function decode_string(s, i)
  local parts, n, j = {}, 0, i + 1
  while true do
    local a, b = s:find('^[^"\\%c]+', j)
    if a then n = n + 1; parts[n] = s:sub(a, b); j = b + 1 end
    local c = s:sub(j, j)
    if c == '"' then return concat(parts), j + 1
    elseif c == "\\" then
      local e = s:sub(j + 1, j + 1)
      local simple = ({ ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' })[e]
      if simple then n = n + 1; parts[n] = simple; j = j + 2
      elseif e == "u" then
        local hex = s:sub(j + 2, j + 5)
        if not hex:find("^%x%x%x%x$") then decode_error(s, j, "bad \\u escape") end
        local cp = tonumber(hex, 16); j = j + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local lo = s:match("^\\u(%x%x%x%x)", j)
          lo = lo and tonumber(lo, 16)
          if not lo or lo < 0xDC00 or lo > 0xDFFF then decode_error(s, j, "unpaired surrogate") end
          cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00); j = j + 6
        elseif cp >= 0xDC00 and cp <= 0xDFFF then decode_error(s, j, "unpaired surrogate") end
        n = n + 1; parts[n] = utf8_char(cp)
      else decode_error(s, j, "bad escape") end
    elseif c == "" then decode_error(s, j, "unterminated string")
    else decode_error(s, j, "control character in string") end
  end
end

decode_value = function(s, i, depth)
  if depth > 64 then decode_error(s, i, "nesting too deep") end
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return obj, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then decode_error(s, i, "expected key") end
      local k; k, i = decode_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then decode_error(s, i, "expected ':'") end
      if obj[k] ~= nil then decode_error(s, i, "duplicate key " .. k) end
      local v; v, i = decode_value(s, i + 1, depth + 1)
      obj[k] = v
      i = skip(s, i)
      c = s:sub(i, i)
      if c == "}" then return obj, i + 1 end
      if c ~= "," then decode_error(s, i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == "[" then
    local arr, n = {}, 0
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      local v; v, i = decode_value(s, i, depth + 1)
      n = n + 1; arr[n] = v
      i = skip(s, i)
      c = s:sub(i, i)
      if c == "]" then return arr, i + 1 end
      if c ~= "," then decode_error(s, i, "expected ',' or ']'") end
      i = i + 1
    end
  elseif c == '"' then return decode_string(s, i)
  elseif c == "t" and s:sub(i, i + 3) == "true" then return true, i + 4
  elseif c == "f" and s:sub(i, i + 4) == "false" then return false, i + 5
  elseif c == "n" and s:sub(i, i + 3) == "null" then return json.null, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not num or num == "" or not tonumber(num) then decode_error(s, i, "unexpected character") end
    return tonumber(num), i + #num
  end
end

-- Decodes a JSON text; raises on invalid input. Objects' null values are json.null.
function json.decode(s)
  local v, i = decode_value(s, 1, 0)
  i = skip(s, i)
  if i <= #s then decode_error(s, i, "trailing characters") end
  return v
end

return json
