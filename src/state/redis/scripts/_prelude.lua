-- Prepended to every Ferry script at load (scripts cannot share functions otherwise).
-- Server time keeps expiries consistent across nodes whose clocks differ.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Drops reservations whose expiry has passed and takes their amounts off `reserved`.
local function purge_expired(credits, reservations, amounts, now)
  local expired = redis.call('ZRANGEBYSCORE', reservations, '-inf', now)
  for _, id in ipairs(expired) do
    local amount = tonumber(redis.call('HGET', amounts, id) or '0')
    redis.call('HDEL', amounts, id)
    redis.call('HINCRBY', credits, 'reserved', -amount)
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', reservations, '-inf', now) end
end

local function account(credits)
  local v = redis.call('HMGET', credits, 'balance', 'reserved')
  return tonumber(v[1] or '0'), tonumber(v[2] or '0')
end

-- The ledger entry already written for this "kind:ref", or nil.
local function prior_entry(refs, ledger, ref_key)
  local seq = redis.call('HGET', refs, ref_key)
  if not seq then return nil end
  return redis.call('ZRANGEBYSCORE', ledger, seq, seq)[1]
end

-- One ledger entry and the balance move together; returns the entry JSON.
local function append_entry(credits, refs, ledger, tenant_id, kind, amount, ref, now)
  local seq = redis.call('HINCRBY', credits, 'seq', 1)
  local balance = redis.call('HINCRBY', credits, 'balance', amount)
  local entry = cjson.encode({ seq = seq, tenantId = tenant_id, kind = kind, amount = amount, ref = ref, at = now, balance = balance })
  redis.call('ZADD', ledger, seq, entry)
  redis.call('HSET', refs, kind .. ':' .. ref, seq)
  return entry
end
