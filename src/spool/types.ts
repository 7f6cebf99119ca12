/**
 * The spool's contract: the durable local queue of accepted messages and their deliveries.
 * `accept` resolves only once the message body and its delivery entries are on disk (fsync'd,
 * group-committed with concurrent accepts). Outcome records go to the state store, not here.
 * After a crash, `recover` puts every delivery that was active back on the scheduled queue, so
 * nothing acknowledged is lost (a delivery may be attempted twice; never zero times).
 */
import type { AcceptedMessage, Delivery, RecipientStatus } from '../domain/index.ts';
import type { BulkAction, BulkOptions, BulkResult, QueueFilter } from './bulk.ts';

export interface SpoolStats {
  readonly messages: number;
  readonly scheduled: number;
  readonly active: number;
  /** Parked by an operator (admin hold); absent in summaries of spools without holds. */
  readonly held?: number;
  /** receivedAt of the oldest message not yet done, or undefined when empty. */
  readonly oldestReceivedAt: number | undefined;
}

/** Queue depth of one group (a tenant or a recipient domain), for `ferry queue`. */
export interface SpoolGroupSummary {
  readonly key: string;
  /** Deliveries not yet done (scheduled + active). */
  readonly deliveries: number;
  readonly scheduled: number;
  readonly active: number;
  /** Parked by an operator (admin hold); absent when none is. */
  readonly held?: number;
  /** Distinct messages with at least one delivery in this group. */
  readonly messages: number;
  readonly oldestReceivedAt: number;
}

export interface SpoolSummary {
  readonly totals: SpoolStats;
  /** Sorted by deliveries, largest first. */
  readonly byTenant: readonly SpoolGroupSummary[];
  /** Sorted by deliveries, largest first. */
  readonly byDomain: readonly SpoolGroupSummary[];
}

export interface DeliveryResult {
  /** The recipients with their new states ('pending' ones are retried). */
  readonly recipients: readonly RecipientStatus[];
  /** When pending recipients remain: the next attempt's time. */
  readonly nextAttemptAt?: number;
}

/**
 * A credit charge of a spooled message that the state store has not confirmed yet: written in
 * the same LMDB batch as the message, removed once commitReservation succeeded. At start (and
 * periodically) every one is charged again, idempotently — the spool commit is the truth.
 */
export interface UnconfirmedCharge {
  readonly messageId: string;
  readonly tenantId: string;
  readonly amount: number;
  readonly at: number;
}

export interface Spool {
  /**
   * Durably stores the message and one scheduled delivery per recipient domain; with `charge`,
   * also its unconfirmed charge, in the same atomic write. With `startActive` the deliveries are
   * stored active instead: the caller's delivery engine took them without a claim (it reserved
   * room for them first); recover() puts them back if the run stops before settling them.
   */
  accept(message: AcceptedMessage, expiresAt: number, charge?: { readonly tenantId: string; readonly amount: number }, startActive?: boolean): Promise<readonly Delivery[]>;
  /** Charges written with accept() and not yet confirmed, oldest first. */
  unconfirmedCharges(limit: number): Promise<UnconfirmedCharge[]>;
  /** Forgets charges the state store has confirmed (idempotent). */
  confirmCharges(messageIds: readonly string[]): Promise<void>;
  /** Claims up to `limit` scheduled deliveries due at `now`, oldest due first, marking them active. */
  claimDue(now: number, limit: number): Promise<Delivery[]>;
  /** The message body and metadata (undefined once every delivery of it is done and it was removed). */
  getMessage(messageId: string): Promise<AcceptedMessage | undefined>;
  /** Records an attempt's result: done when no recipient is pending, else rescheduled at nextAttemptAt. */
  complete(deliveryId: string, result: DeliveryResult): Promise<void>;
  /** Deliveries of one message (for `ferry message ID`). */
  listDeliveries(messageId: string): Promise<Delivery[]>;
  stats(): Promise<SpoolStats>;
  /** Queue depth and age by tenant and by recipient domain (admin; scans every delivery). */
  summary(): Promise<SpoolSummary>;
  /**
   * Operator bulk operation on the deliveries matching `filter` (admin queue verbs). Match and
   * change are one transaction; in-flight (active) deliveries are skipped and counted. `remove`
   * deletes them (and messages left without deliveries): the caller writes one record each.
   */
  bulk(action: BulkAction, filter: QueueFilter, options: BulkOptions): Promise<BulkResult>;
  /**
   * An active delivery back to scheduled at `dueAt`, attempts unchanged: the delivery engine had no
   * room for it (its egress path was full), which is not an attempt and not an outcome.
   */
  requeue(deliveryId: string, dueAt: number): Promise<void>;
  /** Every active delivery back to scheduled (called once at start, before claiming). */
  recover(now: number): Promise<number>;
  close(): Promise<void>;
}
