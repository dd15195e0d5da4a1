-- Pure-Lua zlib for helpers.encode_string / helpers.decode_string of the API stand-in.
-- deflate: real RFC 1951 DEFLATE (LZ77 with a hash chain, one fixed-Huffman block) in an
-- RFC 1950 zlib wrapper with Adler-32; inflate: stored, fixed and dynamic blocks, zlib or raw.
local zlib = {}

local byte, char, concat, floor = string.byte, string.char, table.concat, math.floor

-- Base64 ------------------------------------------------------------------------------------
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local b64enc, b64dec = {}, {}
for i = 0, 63 do
  b64enc[i] = B64:sub(i + 1, i + 1)
  b64dec[byte(B64, i + 1)] = i
end

function zlib.base64_encode(s)
  local out, n = {}, 0
  local len = #s
  for i = 1, len - 2, 3 do
    local a, b, c = byte(s, i, i + 2)
    local v = a * 65536 + b * 256 + c
    n = n + 1
    out[n] = b64enc[floor(v / 262144)] .. b64enc[floor(v / 4096) % 64] .. b64enc[floor(v / 64) % 64] .. b64enc[v % 64]
  end
  local rest = len % 3
  if rest == 1 then
    local v = byte(s, len) * 65536
    n = n + 1; out[n] = b64enc[floor(v / 262144)] .. b64enc[floor(v / 4096) % 64] .. "=="
  elseif rest == 2 then
    local a, b = byte(s, len - 1, len)
    local v = a * 65536 + b * 256
    n = n + 1; out[n] = b64enc[floor(v / 262144)] .. b64enc[floor(v / 4096) % 64] .. b64enc[floor(v / 64) % 64] .. "="
  end
  return concat(out)
end

function zlib.base64_decode(s)
  s = s:gsub("=+$", "")
  local out, n, acc, bits = {}, 0, 0, 0
  for i = 1, #s do
    local v = b64dec[byte(s, i)]
    if not v then return nil, "not base64" end
    acc = acc * 64 + v; bits = bits + 6
    if bits >= 8 then
      bits = bits - 8
      local p = 2 ^ bits
      n = n + 1; out[n] = char(floor(acc / p))
      acc = acc % p
    end
  end
  return concat(out)
end

-- Adler-32 ----------------------------------------------------------------------------------
function zlib.adler32(s)
  local a, b = 1, 0
  local len = #s
  local i = 1
  while i <= len do
    local j = i + 3799 < len and i + 3799 or len  -- keep sums exact in doubles, reduce per block
    for k = i, j do
      a = a + byte(s, k); b = b + a
    end
    a = a % 65521; b = b % 65521
    i = j + 1
  end
  return b * 65536 + a
end

-- Fixed Huffman tables ---------------------------------------------------------------------
local function reverse(code, len)
  local r = 0
  for _ = 1, len do r = r * 2 + code % 2; code = floor(code / 2) end
  return r
end

local lit_code, lit_len = {}, {}
for s = 0, 287 do
  local code, len
  if s <= 143 then code, len = 0x30 + s, 8
  elseif s <= 255 then code, len = 0x190 + s - 144, 9
  elseif s <= 279 then code, len = s - 256, 7
  else code, len = 0xC0 + s - 280, 8 end
  lit_code[s], lit_len[s] = reverse(code, len), len
end

local LEN_BASE = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 }
local LEN_EXTRA = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 }
local DIST_BASE = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
  4097, 6145, 8193, 12289, 16385, 24577 }
local DIST_EXTRA = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 }

-- For each match length 3..258: symbol, extra bits count, extra value.
local len_sym, len_xbits, len_xval = {}, {}, {}
for i = 1, 29 do
  local hi = i < 29 and LEN_BASE[i + 1] - 1 or 258
  if i == 28 then hi = 257 end
  for l = LEN_BASE[i], hi do
    len_sym[l], len_xbits[l], len_xval[l] = 256 + i, LEN_EXTRA[i], l - LEN_BASE[i]
  end
end
len_sym[258], len_xbits[258], len_xval[258] = 285, 0, 0

local dist_rev = {}
for i = 1, 30 do dist_rev[i - 1] = reverse(i - 1, 5) end
local function dist_code(d)
  local lo, hi = 1, 30
  while lo < hi do
    local mid = floor((lo + hi + 1) / 2)
    if DIST_BASE[mid] <= d then lo = mid else hi = mid - 1 end
  end
  return lo - 1, DIST_EXTRA[lo], d - DIST_BASE[lo]
end

local MIN_MATCH, MAX_MATCH, WINDOW, MAX_CHAIN = 3, 258, 32768, 16

-- Raw DEFLATE of s: one final fixed-Huffman block.
function zlib.deflate_raw(s)
  local out, n = {}, 0
  local acc, bits = 0, 0
  local function put(value, nbits)
    acc = acc + value * 2 ^ bits
    bits = bits + nbits
    while bits >= 8 do
      local b = acc % 256
      n = n + 1; out[n] = b
      acc = (acc - b) / 256
      bits = bits - 8
    end
  end
  put(1, 1); put(1, 2) -- BFINAL, BTYPE=01
  local len = #s
  local bytes = { byte(s, 1, len) }
  local head, prev = {}, {}
  local i = 1
  while i <= len do
    local best_len, best_dist = 0, 0
    if i + 2 <= len then
      local h = (bytes[i] * 256 + bytes[i + 1]) * 256 + bytes[i + 2]
      local cand = head[h]
      local chain = 0
      local limit = len - i + 1
      if limit > MAX_MATCH then limit = MAX_MATCH end
      while cand and chain < MAX_CHAIN and i - cand <= WINDOW do
        if bytes[cand + best_len] == bytes[i + best_len] then
          local l = 0
          while l < limit and bytes[cand + l] == bytes[i + l] do l = l + 1 end
          if l > best_len then
            best_len, best_dist = l, i - cand
            if l == limit then break end
          end
        end
        cand = prev[cand]; chain = chain + 1
      end
      prev[i] = head[h]; head[h] = i
    end
    if best_len >= MIN_MATCH then
      local sym = len_sym[best_len]
      put(lit_code[sym], lit_len[sym])
      if len_xbits[best_len] > 0 then put(len_xval[best_len], len_xbits[best_len]) end
      local dc, dx, dv = dist_code(best_dist)
      put(dist_rev[dc], 5)
      if dx > 0 then put(dv, dx) end
      -- index the skipped positions so later matches can find them
      for k = i + 1, i + best_len - 1 do
        if k + 2 <= len then
          local h = (bytes[k] * 256 + bytes[k + 1]) * 256 + bytes[k + 2]
          prev[k] = head[h]; head[h] = k
        end
      end
      i = i + best_len
    else
      local b = bytes[i]
      put(lit_code[b], lit_len[b])
      i = i + 1
    end
  end
  put(lit_code[256], lit_len[256])
  if bits > 0 then put(0, 8 - bits) end
  for k = 1, n, 4096 do
    out[k] = char(unpack(out, k, math.min(n, k + 4095)))
    for m = k + 1, math.min(n, k + 4095) do out[m] = "" end
  end
  return concat(out, "", 1, n)
end

-- zlib stream (RFC 1950) of s.
function zlib.compress(s)
  local a = zlib.adler32(s)
  return "\120\1" .. zlib.deflate_raw(s) .. char(floor(a / 16777216) % 256, floor(a / 65536) % 256, floor(a / 256) % 256, a % 256)
end

-- Inflate ----------------------------------------------------------------------------------
-- Canonical Huffman decoding in the style of zlib's puff.c.
local function build(lengths, n)
  local count, symbol = {}, {}
  for l = 0, 15 do count[l] = 0 end
  for s = 0, n - 1 do count[lengths[s] or 0] = count[lengths[s] or 0] + 1 end
  local offs = { [1] = 0 }
  for l = 1, 14 do offs[l + 1] = offs[l] + count[l] end
  for s = 0, n - 1 do
    local l = lengths[s] or 0
    if l ~= 0 then symbol[offs[l]] = s; offs[l] = offs[l] + 1 end
  end
  return { count = count, symbol = symbol }
end

function zlib.inflate_raw(data, max_out)
  local pos, bitbuf, bitcnt = 1, 0, 0
  local out, on = {}, 0
  local function bits(need)
    while bitcnt < need do
      local b = byte(data, pos)
      if not b then error("inflate: truncated input", 0) end
      pos = pos + 1
      bitbuf = bitbuf + b * 2 ^ bitcnt
      bitcnt = bitcnt + 8
    end
    local p = 2 ^ need
    local v = bitbuf % p
    bitbuf = (bitbuf - v) / p
    bitcnt = bitcnt - need
    return v
  end
  local function decode(h)
    local code, first, index = 0, 0, 0
    for l = 1, 15 do
      code = code + bits(1)
      local c = h.count[l]
      if code - c < first then return h.symbol[index + code - first] end
      index = index + c; first = (first + c) * 2; code = code * 2
    end
    error("inflate: bad Huffman code", 0)
  end
  local fixed_lit, fixed_dist
  repeat
    local last = bits(1)
    local btype = bits(2)
    if btype == 0 then
      bitbuf, bitcnt = 0, 0
      local b1, b2, b3, b4 = byte(data, pos, pos + 3)
      if not b4 then error("inflate: truncated stored block", 0) end
      local len = b1 + b2 * 256
      if len ~= 65535 - (b3 + b4 * 256) then error("inflate: stored length mismatch", 0) end
      pos = pos + 4
      for k = pos, pos + len - 1 do
        local b = byte(data, k)
        if not b then error("inflate: truncated stored block", 0) end
        on = on + 1; out[on] = b
      end
      pos = pos + len
    elseif btype == 1 or btype == 2 then
      local lit, dist
      if btype == 1 then
        if not fixed_lit then
          local l = {}
          for s = 0, 143 do l[s] = 8 end
          for s = 144, 255 do l[s] = 9 end
          for s = 256, 279 do l[s] = 7 end
          for s = 280, 287 do l[s] = 8 end
          fixed_lit = build(l, 288)
          local d = {}
          for s = 0, 29 do d[s] = 5 end
          fixed_dist = build(d, 30)
        end
        lit, dist = fixed_lit, fixed_dist
      else
        local nlen, ndist, ncode = bits(5) + 257, bits(5) + 1, bits(4) + 4
        local order = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 }
        local cl = {}
        for k = 1, ncode do cl[order[k]] = bits(3) end
        local clh = build(cl, 19)
        local lengths, k = {}, 0
        while k < nlen + ndist do
          local sym = decode(clh)
          if sym < 16 then lengths[k] = sym; k = k + 1
          else
            local rep, val = 0, 0
            if sym == 16 then
              if k == 0 then error("inflate: repeat with no previous length", 0) end
              val = lengths[k - 1]; rep = 3 + bits(2)
            elseif sym == 17 then rep = 3 + bits(3)
            else rep = 11 + bits(7) end
            for _ = 1, rep do lengths[k] = val; k = k + 1 end
          end
        end
        local ll, dl = {}, {}
        for s = 0, nlen - 1 do ll[s] = lengths[s] end
        for s = 0, ndist - 1 do dl[s] = lengths[nlen + s] end
        lit, dist = build(ll, nlen), build(dl, ndist)
      end
      while true do
        local sym = decode(lit)
        if sym < 256 then on = on + 1; out[on] = sym
        elseif sym == 256 then break
        else
          sym = sym - 256
          if sym > 29 then error("inflate: bad length symbol", 0) end
          local l = LEN_BASE[sym] + bits(LEN_EXTRA[sym])
          local ds = decode(dist)
          if ds > 29 then error("inflate: bad distance symbol", 0) end
          local d = DIST_BASE[ds + 1] + bits(DIST_EXTRA[ds + 1])
          if d > on then error("inflate: distance too far back", 0) end
          for _ = 1, l do on = on + 1; out[on] = out[on - d] end
        end
        if max_out and on > max_out then error("inflate: output too large", 0) end
      end
    else
      error("inflate: invalid block type", 0)
    end
    if max_out and on > max_out then error("inflate: output too large", 0) end
  until last == 1
  local parts = {}
  for k = 1, on, 4096 do parts[#parts + 1] = char(unpack(out, k, math.min(on, k + 4095))) end
  return concat(parts), pos
end

-- Inflates a zlib stream (checking the Adler-32) or, when the header is not zlib, raw DEFLATE.
function zlib.decompress(data, max_out)
  local cmf, flg = byte(data, 1, 2)
  if cmf and flg and cmf % 16 == 8 and (cmf * 256 + flg) % 31 == 0 then
    local s, pos = zlib.inflate_raw(data:sub(3), max_out)
    local b1, b2, b3, b4 = byte(data, pos + 2, pos + 5)
    if b4 then
      local want = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
      if want ~= zlib.adler32(s) then error("inflate: Adler-32 mismatch", 0) end
    end
    return s
  end
  return (zlib.inflate_raw(data, max_out))
end

return zlib
