-- KEYS: credits, ledger-refs, ledger, refill settings, refill in flight
-- ARGV: tenantId, refillId, result (purchased|refused|failed), amount, reason.
-- Returns the refill entry JSON when credits were (or had been) added.
local tenant_id, id, result = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', KEYS[5]) == id then redis.call('DEL', KEYS[5]) end
if result == 'refused' then
  local raw = redis.call('GET', KEYS[4])
  if raw then
    local settings = cjson.decode(raw)
    settings.paused = true
    settings.pausedReason = ARGV[5]
    redis.call('SET', KEYS[4], cjson.encode(settings))
  end
end
if result ~= 'purchased' then return false end
local prior = prior_entry(KEYS[2], KEYS[3], 'refill:' .. id)
if prior then return prior end
return append_entry(KEYS[1], KEYS[2], KEYS[3], tenant_id, 'refill', tonumber(ARGV[4]), id, now_ms())
