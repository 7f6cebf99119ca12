-- KEYS: the address's soft-bounce ZSET. ARGV: day number, window in days.
-- Adds the day, drops days outside the window, keeps the key for the window; returns the distinct days.
local day, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], day, day)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', day - window)
redis.call('PEXPIRE', KEYS[1], window * 86400000)
return redis.call('ZCARD', KEYS[1])
