-- KEYS: a HASH. ARGV: field. Removes the field and returns its value (nil when absent).
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then redis.call('HDEL', KEYS[1], ARGV[1]) end
return value
