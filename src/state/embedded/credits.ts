/**
 * Embedded store: the credit meter. Exports CreditRecords (balance + ledger, reservations,
 * auto-refill settings and the one-refill-in-flight claim).
 * Every change is one LMDB write transaction that reads and writes together, so racing callers
 * (connections, or another process on the same env) serialize: the balance always equals the
 * ledger's sum, a ledger ref is written once, and reserve never over-commits the balance.
 * Expired reservations are ignored by every reader and deleted by the next write that sees them.
 */
import type {
  CommitOptions,
  CreditBalance,
  CreditLedgerEntry,
  CreditWrite,
  LedgerKind,
  LedgerQuery,
  RefillOutcome,
  RefillSettings,
  ReserveResult,
} from '../credit-types.ts';
import { checkAmount, checkPositiveInteger, checkRefillSettings, ledgerRefKey } from '../credit-types.ts';
import { INDEX_END, type StateDatabases } from './databases.ts';

export class CreditRecords {
  readonly #dbs: StateDatabases;

  constructor(dbs: StateDatabases) {
    this.#dbs = dbs;
  }

  /** Sum of active reservations; inside a write transaction (`purge`) expired ones are deleted. */
  #reserved(tenantId: string, now: number, purge: boolean): number {
    const { creditReservations } = this.#dbs;
    let sum = 0;
    for (const { key, value } of creditReservations.getRange({ start: [tenantId, ''], end: [tenantId, INDEX_END] })) {
      if (value.expiresAt > now) sum += value.amount;
      else if (purge) creditReservations.remove(key);
    }
    return sum;
  }

  #balance(tenantId: string): number {
    return this.#dbs.creditAccounts.get(tenantId)?.balance ?? 0;
  }

  #prior(tenantId: string, kind: LedgerKind, ref: string): CreditLedgerEntry | undefined {
    const seq = this.#dbs.creditRefs.get([tenantId, ledgerRefKey(kind, ref)]);
    return seq === undefined ? undefined : this.#dbs.creditLedger.get([tenantId, seq]);
  }

  /** Inside a write transaction: one ledger entry and the balance move together. */
  #append(tenantId: string, kind: LedgerKind, amount: number, ref: string): CreditLedgerEntry {
    const { creditAccounts, creditLedger, creditRefs } = this.#dbs;
    const account = creditAccounts.get(tenantId) ?? { balance: 0, lastSeq: 0 };
    const entry: CreditLedgerEntry = {
      seq: account.lastSeq + 1,
      tenantId,
      kind,
      amount,
      ref,
      at: Date.now(),
      balance: account.balance + amount,
    };
    creditAccounts.put(tenantId, { balance: entry.balance, lastSeq: entry.seq });
    creditLedger.put([tenantId, entry.seq], entry);
    creditRefs.put([tenantId, ledgerRefKey(kind, ref)], entry.seq);
    return entry;
  }

  async get(tenantId: string): Promise<CreditBalance> {
    return { balance: this.#balance(tenantId), reserved: this.#reserved(tenantId, Date.now(), false) };
  }

  add(tenantId: string, amount: number, kind: 'top-up' | 'refill' | 'adjustment', ref: string): Promise<CreditWrite> {
    checkAmount(amount, `${kind} amount`, kind === 'adjustment');
    return this.#dbs.root.transaction(() => {
      const prior = this.#prior(tenantId, kind, ref);
      if (prior) return { applied: false, entry: prior };
      return { applied: true, entry: this.#append(tenantId, kind, amount, ref) };
    });
  }

  reserve(tenantId: string, reservationId: string, amount: number, ttlMs: number): Promise<ReserveResult> {
    checkAmount(amount, 'reservation amount');
    checkPositiveInteger(ttlMs, 'reservation ttlMs');
    const { root, creditReservations } = this.#dbs;
    return root.transaction(() => {
      const now = Date.now();
      const available = this.#balance(tenantId) - this.#reserved(tenantId, now, true);
      const existing = creditReservations.get([tenantId, reservationId]);
      if (existing) {
        creditReservations.put([tenantId, reservationId], { amount: existing.amount, expiresAt: now + ttlMs });
        return { ok: true, available };
      }
      if (this.#prior(tenantId, 'charge', reservationId)) return { ok: true, available };
      if (available < amount) return { ok: false, available };
      creditReservations.put([tenantId, reservationId], { amount, expiresAt: now + ttlMs });
      return { ok: true, available: available - amount };
    });
  }

  commit(tenantId: string, reservationId: string, options: CommitOptions = {}): Promise<CreditWrite> {
    if (options.amount !== undefined) checkAmount(options.amount, 'commit amount');
    const { root, creditReservations } = this.#dbs;
    return root.transaction(() => {
      const prior = this.#prior(tenantId, 'charge', reservationId);
      if (prior) return { applied: false, entry: prior };
      const reservation = creditReservations.get([tenantId, reservationId]);
      const live = reservation !== undefined && reservation.expiresAt > Date.now();
      if (reservation) creditReservations.remove([tenantId, reservationId]);
      const amount = live ? reservation.amount : options.amount;
      if (amount === undefined) return { applied: false, entry: undefined };
      return { applied: true, entry: this.#append(tenantId, 'charge', -amount, reservationId) };
    });
  }

  release(tenantId: string, reservationId: string): Promise<boolean> {
    const { root, creditReservations } = this.#dbs;
    return root.transaction(() => {
      const reservation = creditReservations.get([tenantId, reservationId]);
      if (!reservation) return false;
      creditReservations.remove([tenantId, reservationId]);
      return reservation.expiresAt > Date.now();
    });
  }

  readLedger(tenantId: string, query: LedgerQuery): CreditLedgerEntry[] {
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const range = this.#dbs.creditLedger.getRange({ start: [tenantId, before], end: [tenantId, 0], reverse: true, exclusiveStart: true, limit: query.limit });
    return [...range.map(({ value }) => value)];
  }

  async getRefillSettings(tenantId: string): Promise<RefillSettings | undefined> {
    return this.#dbs.refills.get(tenantId)?.settings;
  }

  setRefillSettings(tenantId: string, settings: RefillSettings): Promise<void> {
    checkRefillSettings(settings);
    const { root, refills } = this.#dbs;
    return root.transaction(() => {
      refills.put(tenantId, { ...refills.get(tenantId), settings: { ...settings } });
    });
  }

  claimRefill(tenantId: string, refillId: string, ttlMs: number): Promise<boolean> {
    checkPositiveInteger(ttlMs, 'refill ttlMs');
    const { root, refills } = this.#dbs;
    return root.transaction(() => {
      const now = Date.now();
      const refill = refills.get(tenantId);
      const settings = refill?.settings;
      if (!settings || !settings.enabled || settings.paused === true) return false;
      const inFlight = refill.inFlight && refill.inFlight.expiresAt > now ? refill.inFlight : undefined;
      if (inFlight) return inFlight.refillId === refillId;
      const available = this.#balance(tenantId) - this.#reserved(tenantId, now, true);
      if (available >= settings.threshold) return false;
      refills.put(tenantId, { settings, inFlight: { refillId, expiresAt: now + ttlMs } });
      return true;
    });
  }

  finishRefill(tenantId: string, refillId: string, outcome: RefillOutcome): Promise<CreditLedgerEntry | undefined> {
    if (outcome.result === 'purchased') checkAmount(outcome.amount, 'refill amount');
    const { root, refills } = this.#dbs;
    return root.transaction(() => {
      const refill = refills.get(tenantId) ?? {};
      const ours = refill.inFlight?.refillId === refillId;
      let settings = refill.settings;
      if (outcome.result === 'refused' && settings) settings = { ...settings, paused: true, pausedReason: outcome.reason };
      const next = { ...(settings ? { settings } : {}), ...(refill.inFlight && !ours ? { inFlight: refill.inFlight } : {}) };
      refills.put(tenantId, next);
      if (outcome.result !== 'purchased') return undefined;
      return this.#prior(tenantId, 'refill', refillId) ?? this.#append(tenantId, 'refill', outcome.amount, refillId);
    });
  }
}

