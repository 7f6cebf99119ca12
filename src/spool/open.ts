/**
 * openSpool: the spool on the node's LMDB environment (lmdb-spool.ts), handed out as a plain
 * object of bound methods, so wrappers (Proxy, spreading, passing `spool.accept` around) never
 * lose `this` — the class keeps its state in #private fields.
 */
import type { LocalDatabase } from '../platform/localdb.ts';
import { LmdbSpool } from './lmdb-spool.ts';
import type { Spool } from './types.ts';

export interface SpoolOptions {
  /** The hot window's budget (hot-messages.ts); 0 in a process that never delivers (ingress workers). */
  readonly hotMessageBytes?: number;
}

/** Opens (creating if needed) the spool's sub-databases in the node's local database. */
export function openSpool(db: LocalDatabase, options: SpoolOptions = {}): Spool {
  const spool = new LmdbSpool(db, options.hotMessageBytes);
  return {
    accept: (message, expiresAt, charge, startActive) => spool.accept(message, expiresAt, charge, startActive),
    unconfirmedCharges: (limit) => spool.unconfirmedCharges(limit),
    confirmCharges: (messageIds) => spool.confirmCharges(messageIds),
    claimDue: (now, limit) => spool.claimDue(now, limit),
    getMessage: (messageId) => spool.getMessage(messageId),
    complete: (deliveryId, result) => spool.complete(deliveryId, result),
    listDeliveries: (messageId) => spool.listDeliveries(messageId),
    stats: () => spool.stats(),
    summary: () => spool.summary(),
    bulk: (action, filter, options) => spool.bulk(action, filter, options),
    requeue: (deliveryId, dueAt) => spool.requeue(deliveryId, dueAt),
    recover: (now) => spool.recover(now),
    close: () => spool.close(),
  };
}

