-- KEYS: apikey. ARGV: revokedAt (field value). Returns the record, or nil when there is no such key.
-- Idempotent: the first revokedAt stays.
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSETNX', KEYS[1], 'revokedAt', ARGV[1])
return redis.call('HGETALL', KEYS[1])
