-- KEYS: ip records, ip revisions, the IP's history list.
-- ARGV: address, expected revision ('' = the IP must not exist yet), new revision, record JSON,
-- history entry JSON, history cap.
-- Compare-and-set: returns 'conflict' (nothing written) unless the stored revision is the
-- expected one; else writes record, revision and history entry together and returns 'ok'.
local current = redis.call('HGET', KEYS[2], ARGV[1])
if ARGV[2] == '' then
  if current then return 'conflict' end
elseif current ~= ARGV[2] then
  return 'conflict'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('LPUSH', KEYS[3], ARGV[5])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[6]) - 1)
return 'ok'
