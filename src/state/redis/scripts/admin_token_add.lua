-- KEYS: admintoken, admintoken-ids. ARGV: id, field, value, ...
-- Returns 'conflict' (the id exists) or 'ok'.
if redis.call('EXISTS', KEYS[1]) == 1 then return 'conflict' end
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SADD', KEYS[2], ARGV[1])
return 'ok'
