-- KEYS: seq counter, stream, then the index and counter keys the records name.
-- ARGV: first the number of records n and of counter increments m; then per record 5 values:
-- record JSON, type, tenantId, index of its message-index key in KEYS (0 = none), index of its
-- tenant-index key (0 = none); then per increment 3 values: index of the counter HASH in KEYS,
-- field, amount. Each record gets the next seq; stream id = "<seq>-0"; indexes are ZSETs scored
-- by seq; counter HASHes (one per tenant and day) expire 32 days after their last increment.
local n, m = tonumber(ARGV[1]), tonumber(ARGV[2])
local last = redis.call('INCRBY', KEYS[1], n)
local first = last - n + 1
for i = 0, n - 1 do
  local seq = first + i
  local base = 2 + i * 5
  redis.call('XADD', KEYS[2], string.format('%d-0', seq), 'r', ARGV[base + 1], 'y', ARGV[base + 2], 't', ARGV[base + 3])
  local by_message, by_tenant = tonumber(ARGV[base + 4]), tonumber(ARGV[base + 5])
  if by_message > 0 then redis.call('ZADD', KEYS[by_message], seq, seq) end
  if by_tenant > 0 then redis.call('ZADD', KEYS[by_tenant], seq, seq) end
end
local expiring = {}
for j = 0, m - 1 do
  local base = 2 + n * 5 + j * 3
  local key = KEYS[tonumber(ARGV[base + 1])]
  redis.call('HINCRBY', key, ARGV[base + 2], ARGV[base + 3])
  if not expiring[key] then
    redis.call('EXPIRE', key, 2764800)
    expiring[key] = true
  end
end
return last
