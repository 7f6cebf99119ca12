-- KEYS: credits, reservations, reservation-amounts, ledger-refs, ledger
-- Returns {balance, reserved} after dropping expired reservations.
purge_expired(KEYS[1], KEYS[2], KEYS[3], now_ms())
local balance, reserved = account(KEYS[1])
return { balance, reserved }
