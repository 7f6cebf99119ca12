-- KEYS: stream, and optionally one index ZSET (by message or by tenant) to walk instead.
-- ARGV: afterSeq, limit (0 = all), tenantId filter ('' = any), then allowed types (none = any).
-- Returns a flat array seq, record JSON, seq, record JSON, ... in seq order.
local after, limit, tenant = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local types = nil
if #ARGV > 3 then
  types = {}
  for i = 4, #ARGV do types[ARGV[i]] = true end
end
local out = {}
local BATCH = 200

-- Adds the entry when it passes the filters; true once the limit is reached.
local function take(id, flat)
  local f = {}
  for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
  if tenant ~= '' and f.t ~= tenant then return false end
  if types and not types[f.y] then return false end
  out[#out + 1] = string.match(id, '^(%d+)')
  out[#out + 1] = f.r
  return limit > 0 and #out >= limit * 2
end

if KEYS[2] then
  local offset = 0
  while true do
    local seqs = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. after, '+inf', 'LIMIT', offset, BATCH)
    for _, seq in ipairs(seqs) do
      local entry = redis.call('XRANGE', KEYS[1], seq .. '-0', seq .. '-0')[1]
      if entry and take(entry[1], entry[2]) then return out end
    end
    if #seqs < BATCH then return out end
    offset = offset + BATCH
  end
end
local start = string.format('(%d-0', after)
while true do
  local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', BATCH)
  for _, entry in ipairs(entries) do
    if take(entry[1], entry[2]) then return out end
  end
  if #entries < BATCH then return out end
  start = '(' .. entries[#entries][1]
end
