-- KEYS: tenant, apikey-hashes, apikey, apikeys-of tenant. ARGV: hash, keyId, field, value, ...
-- Returns 'missing' (no tenant), 'conflict' (hash registered) or 'ok'.
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 'conflict' end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[3], unpack(fields))
redis.call('SADD', KEYS[4], ARGV[2])
return 'ok'
