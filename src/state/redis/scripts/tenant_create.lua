-- KEYS: tenant-names, tenant, tenant-ids. ARGV: name, id, field, value, ...
-- Returns 0 when the name is taken, else 1 (name, record and id set written together).
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('SADD', KEYS[3], ARGV[2])
return 1
