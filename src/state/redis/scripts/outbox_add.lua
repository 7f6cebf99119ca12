-- KEYS: a tenant's webhook outbox ZSET. ARGV: seq, event JSON, seq, event JSON, ...
-- Idempotent by seq: an event already queued is not queued twice.
for i = 1, #ARGV, 2 do
  if redis.call('ZCOUNT', KEYS[1], ARGV[i], ARGV[i]) == 0 then redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 'ok'
