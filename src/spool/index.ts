/**
 * The spool: durable local queue of accepted messages and their deliveries (architecture §2).
 * Other folders import the spool only from here: openSpool(db) on the node's LocalDatabase, and
 * the Spool contract types. planDeliveries is exported for callers that want the fan-out preview.
 */
export { openSpool, type SpoolOptions } from './open.ts';
export { planDeliveries } from './fanout.ts';
export type { Spool, SpoolStats, SpoolSummary, SpoolGroupSummary, DeliveryResult } from './types.ts';
export { matchesFilter, type QueueFilter, type BulkAction, type BulkOptions, type BulkResult } from './bulk.ts';
export type { UnconfirmedCharge } from './types.ts';
export { handingSpool, wakingSpool, type DeliveryIntake } from './waking.ts';
