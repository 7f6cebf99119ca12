-- KEYS: a record HASH. ARGV: n, then n field/value pairs to set, then fields to delete.
-- Returns the whole record after the patch, or nil when the record does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = tonumber(ARGV[1])
if n > 0 then
  local set = {}
  for i = 2, 1 + 2 * n do set[#set + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(set))
end
if #ARGV > 1 + 2 * n then
  local del = {}
  for i = 2 + 2 * n, #ARGV do del[#del + 1] = ARGV[i] end
  redis.call('HDEL', KEYS[1], unpack(del))
end
return redis.call('HGETALL', KEYS[1])
