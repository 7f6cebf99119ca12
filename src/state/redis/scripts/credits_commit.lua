-- KEYS: credits, reservations, reservation-amounts, ledger-refs, ledger
-- ARGV: tenantId, reservationId, fallbackAmount ('' = none).
-- Returns {applied (0|1), entry JSON or nothing}. A second commit returns {0, first entry}.
local tenant_id, id, fallback = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
purge_expired(KEYS[1], KEYS[2], KEYS[3], now)
local prior = prior_entry(KEYS[4], KEYS[5], 'charge:' .. id)
if prior then return { 0, prior } end
local amount = redis.call('HGET', KEYS[3], id)
if amount then
  amount = tonumber(amount)
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HINCRBY', KEYS[1], 'reserved', -amount)
elseif fallback ~= '' then
  amount = tonumber(fallback)
else
  return { 0 }
end
return { 1, append_entry(KEYS[1], KEYS[4], KEYS[5], tenant_id, 'charge', -amount, id, now) }
