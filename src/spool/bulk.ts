/**
 * Operator bulk operations on queued deliveries, selected by a filter (tenant, recipient
 * domain, message, received before): hold, release, retry-now, remove (bounce/purge — the
 * caller writes the records). Exports matchesFilter (pure), applyBulk (runs inside the spool's
 * write transaction, so the match and the change are one atomic step) and the types.
 * Active deliveries (an attempt in flight) are never touched: they are counted as skippedActive.
 * Invariants kept: schedule holds exactly the scheduled deliveries, held exactly the held ones.
 */
import type { Delivery } from '../domain/index.ts';
import { deliveryKeyRange } from './fanout.ts';

export interface QueueFilter {
  readonly tenantId?: string;
  /** Recipient domain (lower case). */
  readonly domain?: string;
  readonly messageId?: string;
  /** Only deliveries of messages received before this moment (ms since epoch). */
  readonly receivedBefore?: number;
}

export type BulkAction = 'hold' | 'release' | 'retry-now' | 'remove';

export interface BulkOptions {
  readonly now: number;
  /** Count only; change nothing. */
  readonly dryRun?: boolean;
}

export interface BulkResult {
  readonly action: BulkAction;
  readonly dryRun: boolean;
  /** Deliveries the action applies to (changed, or would be on a dry run), as they were before. */
  readonly deliveries: readonly Delivery[];
  /** Matched the filter but were in flight, so left alone. */
  readonly skippedActive: number;
}

export function matchesFilter(delivery: Delivery, filter: QueueFilter): boolean {
  if (filter.tenantId !== undefined && delivery.tenantId !== filter.tenantId) return false;
  if (filter.domain !== undefined && delivery.domain !== filter.domain.toLowerCase()) return false;
  if (filter.messageId !== undefined && delivery.messageId !== filter.messageId) return false;
  if (filter.receivedBefore !== undefined && delivery.receivedAt >= filter.receivedBefore) return false;
  return true;
}

/** Which states an action applies to. */
const APPLIES_TO: Record<BulkAction, ReadonlySet<Delivery['state']>> = {
  hold: new Set(['scheduled']),
  release: new Set(['held']),
  'retry-now': new Set(['scheduled']),
  remove: new Set(['scheduled', 'held']),
};

type ScheduleKey = [dueAt: number, deliveryId: string];

/** The LMDB sub-databases the spool owns (lmdb-js Database, typed loosely to stay decoupled). */
export interface SpoolTables {
  readonly messages: { remove(key: string): unknown };
  readonly deliveries: {
    get(key: string): Delivery | undefined;
    put(key: string, value: Delivery): unknown;
    remove(key: string): unknown;
    getRange(options?: { start?: string; end?: string }): Iterable<{ value: Delivery }>;
    getKeys(options: { start: string; end: string; limit: number }): Iterable<string>;
  };
  readonly schedule: { put(key: ScheduleKey, value: true): unknown; remove(key: ScheduleKey): unknown };
  readonly held: { put(key: string, value: true): unknown; remove(key: string): unknown };
}

function candidates(tables: SpoolTables, filter: QueueFilter): Iterable<{ value: Delivery }> {
  return filter.messageId === undefined ? tables.deliveries.getRange() : tables.deliveries.getRange(deliveryKeyRange(filter.messageId));
}

function change(tables: SpoolTables, action: BulkAction, delivery: Delivery, now: number): void {
  const { id } = delivery;
  if (delivery.state === 'scheduled') void tables.schedule.remove([delivery.dueAt, id]);
  if (delivery.state === 'held') void tables.held.remove(id);
  if (action === 'remove') {
    void tables.deliveries.remove(id);
    return;
  }
  if (action === 'hold') {
    void tables.deliveries.put(id, { ...delivery, state: 'held' });
    void tables.held.put(id, true);
    return;
  }
  // release and retry-now: due now, on the scheduled queue.
  void tables.deliveries.put(id, { ...delivery, state: 'scheduled', dueAt: now });
  void tables.schedule.put([now, id], true);
}

/** Call inside one write transaction of the spool's environment. */
export function applyBulk(tables: SpoolTables, action: BulkAction, filter: QueueFilter, options: BulkOptions): BulkResult {
  const selected: Delivery[] = [];
  let skippedActive = 0;
  for (const { value } of candidates(tables, filter)) {
    if (!matchesFilter(value, filter)) continue;
    if (value.state === 'active') skippedActive++;
    else if (APPLIES_TO[action].has(value.state)) selected.push(value);
  }
  const dryRun = options.dryRun ?? false;
  if (!dryRun) {
    for (const delivery of selected) change(tables, action, delivery, options.now);
    if (action === 'remove') removeOrphanMessages(tables, selected);
  }
  return { action, dryRun, deliveries: selected, skippedActive };
}

function removeOrphanMessages(tables: SpoolTables, removed: readonly Delivery[]): void {
  for (const messageId of new Set(removed.map((d) => d.messageId))) {
    const left = [...tables.deliveries.getKeys({ ...deliveryKeyRange(messageId), limit: 1 })];
    if (left.length === 0) void tables.messages.remove(messageId);
  }
}
