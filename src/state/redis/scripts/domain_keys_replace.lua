-- KEYS: domain. ARGV: expected signing selectors joined by ',', the new sealed record JSON.
-- Returns {'missing'} | {'conflict'} (the signing selectors changed: another rotation won) | {'ok'}.
local record = redis.call('HGET', KEYS[1], 'record')
if not record then return { 'missing' } end
local selectors = {}
for i, key in ipairs(cjson.decode(record).dkimKeys) do selectors[i] = key.selector end
if table.concat(selectors, ',') ~= ARGV[1] then return { 'conflict' } end
redis.call('HSET', KEYS[1], 'record', ARGV[2])
return { 'ok' }
