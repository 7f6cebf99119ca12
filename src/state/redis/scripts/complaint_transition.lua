-- KEYS: the complaint-cases HASH. ARGV: case id, patch JSON, then the statuses it may move from.
-- Compare-and-set: returns the updated case JSON, or nil when absent or in another status.
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return nil end
local case = cjson.decode(raw)
local allowed = false
for i = 3, #ARGV do
  if case.status == ARGV[i] then allowed = true end
end
if not allowed then return nil end
for k, v in pairs(cjson.decode(ARGV[2])) do
  if k ~= 'id' and k ~= 'tenantId' then case[k] = v end
end
local updated = cjson.encode(case)
redis.call('HSET', KEYS[1], ARGV[1], updated)
return updated
