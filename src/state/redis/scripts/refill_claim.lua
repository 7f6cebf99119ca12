-- KEYS: credits, reservations, reservation-amounts, refill settings, refill in flight
-- ARGV: refillId, ttlMs. Returns 1 when this refillId is (now) the one refill in flight.
local id, ttl = ARGV[1], tonumber(ARGV[2])
local raw = redis.call('GET', KEYS[4])
if not raw then return 0 end
local settings = cjson.decode(raw)
if settings.enabled ~= true or settings.paused == true then return 0 end
local current = redis.call('GET', KEYS[5])
if current then
  if current == id then return 1 end
  return 0
end
purge_expired(KEYS[1], KEYS[2], KEYS[3], now_ms())
local balance, reserved = account(KEYS[1])
if balance - reserved >= tonumber(settings.threshold) then return 0 end
redis.call('SET', KEYS[5], id, 'PX', ttl)
return 1
