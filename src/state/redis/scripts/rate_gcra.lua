-- GCRA, a port of src/state/gcra.ts gcraStep. KEYS: the rate key (spec inside the key).
-- ARGV: now (ms), emission interval (ms), burst. Returns {allowed (0|1), retryAfterMs}.
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
local allow_at = next_tat - burst * interval
if now < allow_at then return { 0, math.ceil(allow_at - now) } end
redis.call('SET', KEYS[1], string.format('%.17g', next_tat), 'PX', math.max(1, math.ceil(next_tat - now)))
return { 1, 0 }
