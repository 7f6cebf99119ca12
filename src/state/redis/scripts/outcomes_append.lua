-- KEYS: seq counter, stream, then the index keys the records name.
-- ARGV: per record 5 values: record JSON, type, tenantId, index of its message-index key in
-- KEYS (0 = none), index of its tenant-index key (0 = none).
-- Each record gets the next seq; stream id = "<seq>-0"; indexes are ZSETs scored by seq.
local n = #ARGV / 5
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
for i = 0, n - 1 do
  local seq = first + i
  local base = i * 5
  redis.call('XADD', KEYS[2], string.format('%d-0', seq), 'r', ARGV[base + 1], 'y', ARGV[base + 2], 't', ARGV[base + 3])
  local by_message, by_tenant = tonumber(ARGV[base + 4]), tonumber(ARGV[base + 5])
  if by_message > 0 then redis.call('ZADD', KEYS[by_message], seq, seq) end
  if by_tenant > 0 then redis.call('ZADD', KEYS[by_tenant], seq, seq) end
end
return last
