-- KEYS: credits, reservations, reservation-amounts, ledger-refs, ledger
-- ARGV: reservationId, amount, ttlMs. Returns {ok (0|1), available}.
-- ok only when balance - active reservations >= amount; a repeat refreshes the expiry;
-- an id already charged answers ok without reserving again.
local id, amount, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
purge_expired(KEYS[1], KEYS[2], KEYS[3], now)
local balance, reserved = account(KEYS[1])
local available = balance - reserved
if redis.call('HEXISTS', KEYS[3], id) == 1 then
  redis.call('ZADD', KEYS[2], now + ttl, id)
  return { 1, available }
end
if redis.call('HEXISTS', KEYS[4], 'charge:' .. id) == 1 then return { 1, available } end
if available < amount then return { 0, available } end
redis.call('HSET', KEYS[3], id, amount)
redis.call('ZADD', KEYS[2], now + ttl, id)
redis.call('HINCRBY', KEYS[1], 'reserved', amount)
return { 1, available - amount }
