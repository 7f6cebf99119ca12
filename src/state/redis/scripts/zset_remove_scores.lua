-- KEYS: a ZSET. ARGV: scores. Removes every member with one of these scores.
for i = 1, #ARGV do redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i]) end
return 'ok'
