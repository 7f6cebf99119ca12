-- KEYS: credits, reservations, reservation-amounts, ledger-refs, ledger
-- ARGV: tenantId, kind, amount, ref. Idempotent by "kind:ref".
-- Returns {applied (0|1), entry JSON}.
local prior = prior_entry(KEYS[4], KEYS[5], ARGV[2] .. ':' .. ARGV[4])
if prior then return { 0, prior } end
return { 1, append_entry(KEYS[1], KEYS[4], KEYS[5], ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], now_ms()) }
