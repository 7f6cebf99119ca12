-- KEYS: the day's counter. ARGV: by, max, ttlSeconds. Returns {allowed (0|1), count}.
local by, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count + by > max then return { 0, count } end
local n = redis.call('INCRBY', KEYS[1], by)
if n == by then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3])) end
return { 1, n }
