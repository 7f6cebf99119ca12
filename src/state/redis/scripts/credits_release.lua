-- KEYS: credits, reservations, reservation-amounts, ledger-refs, ledger
-- ARGV: reservationId. Returns 1 when an active reservation was released.
local id = ARGV[1]
local now = now_ms()
local expires = redis.call('ZSCORE', KEYS[2], id)
if not expires then return 0 end
local amount = tonumber(redis.call('HGET', KEYS[3], id) or '0')
redis.call('ZREM', KEYS[2], id)
redis.call('HDEL', KEYS[3], id)
redis.call('HINCRBY', KEYS[1], 'reserved', -amount)
if tonumber(expires) > now then return 1 end
return 0
