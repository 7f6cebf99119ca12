-- KEYS: the scope's suppression HASH. ARGV: address, entry JSON, now, expiresAt ('' = permanent).
-- An active entry is replaced only by one that lasts longer (permanent beats expiring).
-- Returns {applied (1|0), the entry JSON kept}.
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  local old = cjson.decode(existing)
  local now = tonumber(ARGV[3])
  local old_expiry = tonumber(old.expiresAt)
  local active = old_expiry == nil or old_expiry > now
  if active then
    local new_expiry = tonumber(ARGV[4])
    local outlasts = old_expiry ~= nil and (new_expiry == nil or new_expiry > old_expiry)
    if not outlasts then return { 0, existing } end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return { 1, ARGV[2] }
