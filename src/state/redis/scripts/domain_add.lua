-- KEYS: tenant, domain, domains-of tenant, meta. ARGV: domain, tenantId, sealed record JSON, key fingerprint.
-- Returns {'missing'} | {'conflict', ownerTenantId} | {'secret'} (another master key sealed the stored keys) | {'ok'}.
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'missing' } end
local owner = redis.call('HGET', KEYS[2], 'tenantId')
if owner then return { 'conflict', owner } end
local fingerprint = redis.call('HGET', KEYS[4], 'masterKeyFingerprint')
if fingerprint and fingerprint ~= ARGV[4] then return { 'secret' } end
if not fingerprint then redis.call('HSET', KEYS[4], 'masterKeyFingerprint', ARGV[4]) end
redis.call('HSET', KEYS[2], 'tenantId', ARGV[2], 'record', ARGV[3])
redis.call('SADD', KEYS[3], ARGV[1])
return { 'ok' }
