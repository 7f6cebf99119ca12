/**
 * The spool on the node's LMDB environment: sub-databases `spool.messages` (id → message meta +
 * body), `spool.deliveries` (delivery id → Delivery), `spool.schedule` ([dueAt, deliveryId] →
 * true, only for scheduled deliveries) and `spool.active` (deliveryId → true, only for active
 * ones). Exports LmdbSpool (opened through open.ts).
 * Invariants: a delivery is in spool.schedule iff its state is 'scheduled', in spool.active iff
 * it is 'active'; a message exists iff at least one of its deliveries does. So neither start-up
 * recovery nor the stats read the million deferred deliveries (their pages stay on disk).
 * Every write is an lmdb-js async batch/transaction: writes of one event-loop turn share one
 * commit (group commit), and the promise resolves after the fsync. Messages accepted here stay
 * in a bounded in-memory window (hot-messages.ts) until their last delivery completes; getMessage
 * answers from it first. The spool does not own the environment: close() drains its own writes and leaves the env open.
 */
import { FerryError, ErrorCodes, isFerryError, type AcceptedMessage, type Delivery } from '../domain/index.ts';
import type { LocalDatabase } from '../platform/localdb.ts';
import { deliveryIndex, deliveryKeyRange, planDeliveries } from './fanout.ts';
import { HOT_MESSAGE_BYTES, HotMessages } from './hot-messages.ts';
import { SummaryBuilder } from './summary.ts';
import { applyBulk, type BulkAction, type BulkOptions, type BulkResult, type QueueFilter } from './bulk.ts';
import type { DeliveryResult, Spool, SpoolStats, SpoolSummary, UnconfirmedCharge } from './types.ts';

type ScheduleKey = [dueAt: number, deliveryId: string];

/** Deliveries read per slice of a full scan (summary, a legacy recover): a few ms of work between event-loop turns. */
const SCAN_SLICE = 5_000;

function entryCount(db: { getStats(): object }): number {
  return (db.getStats() as { entryCount?: number }).entryCount ?? 0;
}

function asSpoolError(action: string, error: unknown): FerryError {
  if (isFerryError(error)) return error;
  return new FerryError(ErrorCodes.SPOOL_WRITE, `spool ${action} failed`, { cause: error });
}

export class LmdbSpool implements Spool {
  readonly #messages;
  readonly #deliveries;
  readonly #schedule;
  /** Held deliveries (operator hold): deliveryId → true. */
  readonly #held;
  /** Deliveries being attempted (claimed, not yet completed): deliveryId → true. */
  readonly #active;
  /** `spool.charges`: message id → its unconfirmed credit charge (see UnconfirmedCharge). */
  readonly #charges;
  /** Bodies accepted here, read by delivery without LMDB (hot-messages.ts). */
  readonly #hot: HotMessages;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(db: LocalDatabase, hotMessageBytes = HOT_MESSAGE_BYTES) {
    this.#hot = new HotMessages(hotMessageBytes);
    this.#messages = db.openDB<AcceptedMessage, string>('spool.messages', { encoding: 'msgpack' });
    this.#deliveries = db.openDB<Delivery, string>('spool.deliveries', { encoding: 'msgpack' });
    this.#schedule = db.openDB<true, ScheduleKey>('spool.schedule', { encoding: 'msgpack' });
    this.#charges = db.openDB<UnconfirmedCharge, string>('spool.charges', { encoding: 'msgpack' });
    this.#held = db.openDB<true, string>('spool.held', { encoding: 'msgpack' });
    this.#active = db.openDB<true, string>('spool.active', { encoding: 'msgpack' });
  }

  async accept(message: AcceptedMessage, expiresAt: number, charge?: { tenantId: string; amount: number }, startActive = false): Promise<readonly Delivery[]> {
    this.#assertOpen();
    const planned = planDeliveries(message, expiresAt);
    const deliveries = startActive ? planned.map((delivery): Delivery => ({ ...delivery, state: 'active' })) : planned;
    // ifNoExists makes the whole fan-out conditional and atomic: a duplicate id writes nothing.
    const stored = await this.#write('accept', () =>
      this.#messages.ifNoExists(message.id, () => {
        void this.#messages.put(message.id, message);
        if (charge) void this.#charges.put(message.id, { messageId: message.id, tenantId: charge.tenantId, amount: charge.amount, at: message.receivedAt });
        for (const delivery of deliveries) {
          void this.#deliveries.put(delivery.id, delivery);
          if (startActive) void this.#active.put(delivery.id, true);
          else void this.#schedule.put([delivery.dueAt, delivery.id], true);
        }
      }),
    );
    if (!stored) throw new FerryError(ErrorCodes.STATE_CONFLICT, `message ${message.id} is already in the spool`);
    this.#hot.add(message);
    return deliveries;
  }

  async unconfirmedCharges(limit: number): Promise<UnconfirmedCharge[]> {
    this.#assertOpen();
    return [...this.#charges.getRange({ limit })].map(({ value }) => value);
  }

  async confirmCharges(messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.#write('confirmCharges', () =>
      this.#charges.batch(() => {
        for (const id of messageIds) void this.#charges.remove(id);
      }),
    );
  }

  async claimDue(now: number, limit: number): Promise<Delivery[]> {
    if (limit <= 0 || !this.#anyDue(now)) return [];
    // One write transaction: LMDB has a single writer, so no two claims see the same entry.
    return this.#write('claimDue', () => this.#deliveries.transaction(() => this.#claimInTransaction(now, limit)));
  }

  /**
   * A read of the first schedule entry: most claims (one per settled delivery, while fresh mail is
   * handed over without one) find nothing due and then cost no write transaction.
   */
  #anyDue(now: number): boolean {
    for (const key of this.#schedule.getKeys({ limit: 1 })) return key[0] <= now;
    return false;
  }

  #claimInTransaction(now: number, limit: number): Delivery[] {
    const due: ScheduleKey[] = [];
    // Ordered by dueAt: stop at the first future entry, so deferred mail is never scanned.
    for (const key of this.#schedule.getKeys({ limit })) {
      if (key[0] > now) break;
      due.push(key);
    }
    const claimed: Delivery[] = [];
    for (const key of due) {
      void this.#schedule.remove(key);
      const delivery = this.#deliveries.get(key[1]);
      if (!delivery || delivery.state !== 'scheduled') continue; // stale index entry: dropped
      const active: Delivery = { ...delivery, state: 'active' };
      void this.#deliveries.put(active.id, active);
      void this.#active.put(active.id, true);
      claimed.push(active);
    }
    return claimed;
  }

  async complete(deliveryId: string, result: DeliveryResult): Promise<void> {
    const removed = await this.#write('complete', () =>
      this.#deliveries.transaction(() => this.#completeInTransaction(deliveryId, result)),
    );
    if (removed) this.#hot.delete(removed);
  }

  /** The message id when its last delivery went (the message is removed too). */
  #completeInTransaction(deliveryId: string, result: DeliveryResult): string | undefined {
    const delivery = this.#deliveries.get(deliveryId);
    if (!delivery) throw new FerryError(ErrorCodes.NOT_FOUND, `delivery ${deliveryId} is not in the spool`);
    if (delivery.state !== 'active') {
      throw new FerryError(ErrorCodes.STATE_CONFLICT, `delivery ${deliveryId} is ${delivery.state}, not active`);
    }
    void this.#active.remove(deliveryId);
    const pending = result.recipients.some((recipient) => recipient.state === 'pending');
    if (pending && result.nextAttemptAt !== undefined) {
      const rescheduled: Delivery = {
        ...delivery,
        recipients: result.recipients,
        state: 'scheduled',
        attempts: delivery.attempts + 1,
        dueAt: result.nextAttemptAt,
      };
      void this.#deliveries.put(deliveryId, rescheduled);
      void this.#schedule.put([rescheduled.dueAt, deliveryId], true);
      return undefined;
    }
    void this.#deliveries.remove(deliveryId);
    const siblings = [...this.#deliveries.getKeys({ ...deliveryKeyRange(delivery.messageId), limit: 1 })];
    if (siblings.length > 0) return undefined;
    void this.#messages.remove(delivery.messageId);
    return delivery.messageId;
  }

  async requeue(deliveryId: string, dueAt: number): Promise<void> {
    await this.#write('requeue', () =>
      this.#deliveries.transaction(() => {
        const delivery = this.#deliveries.get(deliveryId);
        if (!delivery) throw new FerryError(ErrorCodes.NOT_FOUND, `delivery ${deliveryId} is not in the spool`);
        if (delivery.state !== 'active') throw new FerryError(ErrorCodes.STATE_CONFLICT, `delivery ${deliveryId} is ${delivery.state}, not active`);
        void this.#deliveries.put(deliveryId, { ...delivery, state: 'scheduled', dueAt });
        void this.#schedule.put([dueAt, deliveryId], true);
        void this.#active.remove(deliveryId);
      }),
    );
  }

  /** Deliveries left active by a stopped run go back to scheduled, due now: one small transaction that re-checks each. */
  async recover(now: number): Promise<number> {
    this.#assertOpen();
    const activeIds = await this.#activeIds();
    if (activeIds.length === 0) return 0;
    return this.#write('recover', () =>
      this.#deliveries.transaction(() => {
        let recovered = 0;
        for (const id of activeIds) {
          const delivery = this.#deliveries.get(id);
          void this.#active.remove(id);
          if (delivery?.state !== 'active') continue;
          void this.#deliveries.put(id, { ...delivery, state: 'scheduled', dueAt: now });
          void this.#schedule.put([now, id], true);
          recovered++;
        }
        return recovered;
      }),
    );
  }

  /** From spool.active; when the counts say it misses some (a spool written before it existed), a full scan. */
  async #activeIds(): Promise<string[]> {
    const listed = [...this.#active.getKeys()];
    const unlisted = entryCount(this.#deliveries) - entryCount(this.#schedule) - entryCount(this.#held) - listed.length;
    if (unlisted <= 0) return listed;
    const found: string[] = [];
    await this.#scanDeliveries((key, delivery) => {
      if (delivery.state === 'active') found.push(key);
    });
    return found;
  }

  /**
   * Every delivery in key order, SCAN_SLICE at a time, each slice its own read snapshot, outside
   * any write transaction, the event loop free between slices: a million deliveries must neither
   * hold LMDB's write lock for seconds (a huge write transaction overlapping the relay's batches
   * is where lmdb-js 3.5.6 aborted in mdb_freelist_save) nor stall SMTP sessions.
   */
  async #scanDeliveries(visit: (key: string, delivery: Delivery) => void): Promise<void> {
    let after: string | undefined;
    for (;;) {
      let last: string | undefined;
      // the smallest key greater than `after`: the same string with a NUL appended
      for (const { key, value } of this.#deliveries.getRange({ ...(after !== undefined && { start: `${after}\u0000` }), limit: SCAN_SLICE })) {
        visit(key, value);
        last = key;
      }
      if (last === undefined) return;
      after = last;
      await new Promise((resolve) => setImmediate(resolve));
      this.#assertOpen();
    }
  }

  async getMessage(messageId: string): Promise<AcceptedMessage | undefined> {
    this.#assertOpen();
    return this.#hot.get(messageId) ?? this.#messages.get(messageId);
  }

  async listDeliveries(messageId: string): Promise<Delivery[]> {
    this.#assertOpen();
    const deliveries = [...this.#deliveries.getRange(deliveryKeyRange(messageId))].map(({ value }) => value);
    return deliveries.sort((a, b) => deliveryIndex(a.id) - deliveryIndex(b.id));
  }

  async stats(): Promise<SpoolStats> {
    this.#assertOpen();
    const scheduled = entryCount(this.#schedule);
    const held = entryCount(this.#held);
    // Message ids are time-sortable, so the first delivery key belongs to the oldest message.
    const [first] = this.#deliveries.getRange({ limit: 1 });
    return {
      messages: entryCount(this.#messages),
      scheduled,
      active: entryCount(this.#active),
      ...(held > 0 && { held }),
      oldestReceivedAt: first?.value.receivedAt,
    };
  }

  /** A slice-by-slice scan (see #scanDeliveries): under concurrent changes the totals are approximate, never blocking. */
  async summary(): Promise<SpoolSummary> {
    this.#assertOpen();
    const builder = new SummaryBuilder();
    await this.#scanDeliveries((_key, delivery) => builder.add(delivery));
    return builder.result(entryCount(this.#messages));
  }

  /** Hold / release / retry-now / remove by filter, matched and applied in one transaction. */
  async bulk(action: BulkAction, filter: QueueFilter, options: BulkOptions): Promise<BulkResult> {
    const tables = { messages: this.#messages, deliveries: this.#deliveries, schedule: this.#schedule, held: this.#held };
    if (options.dryRun) {
      this.#assertOpen();
      return applyBulk(tables, action, filter, options);
    }
    // A removal may take hot messages with it: the window starts again (it only saves reads).
    if (action === 'remove') this.#hot.clear();
    return this.#write(`bulk ${action}`, () => this.#deliveries.transaction(() => applyBulk(tables, action, filter, options)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
  }

  #assertOpen(): void {
    if (this.#closed) throw new FerryError(ErrorCodes.SPOOL_CLOSED, 'the spool is closed');
  }

  /** Runs one write, tracked so close() can wait for it; LMDB failures become SPOOL_WRITE. */
  async #write<T>(action: string, start: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    const pending = start();
    this.#inFlight.add(pending);
    try {
      return await pending;
    } catch (error) {
      throw asSpoolError(action, error);
    } finally {
      this.#inFlight.delete(pending);
    }
  }
}
