/**
 * Redis store: the credit meter, in the tenant's slot ({tn_x}). Exports RedisCredits.
 * Every change is one Lua script (scripts/credits_*.lua, refill_*.lua) over the tenant's five
 * credit keys, so the balance, the reserved sum, the ledger and its refs move together and the
 * balance always equals the ledger's sum. Hot path per message: reserve (1 round trip) +
 * commit (1 round trip). Expired reservations are dropped by the next script that looks.
 */
import type {
  CommitOptions,
  CreditBalance,
  CreditLedgerEntry,
  CreditWrite,
  LedgerQuery,
  RefillOutcome,
  RefillSettings,
  ReserveResult,
} from '../credit-types.ts';
import { checkAmount, checkPositiveInteger, checkRefillSettings } from '../credit-types.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

function entryOf(raw: unknown): CreditLedgerEntry | undefined {
  return typeof raw === 'string' ? (JSON.parse(raw) as CreditLedgerEntry) : undefined;
}

function writeOf(reply: unknown): CreditWrite {
  const [applied, raw] = reply as [number, string | undefined];
  return { applied: Number(applied) === 1, entry: entryOf(raw) };
}

export class RedisCredits {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async get(tenantId: string): Promise<CreditBalance> {
    const [balance, reserved] = (await this.#redis.run('credits_get', this.#keys.creditAccount(tenantId), [])) as [number, number];
    return { balance: Number(balance), reserved: Number(reserved) };
  }

  async add(tenantId: string, amount: number, kind: 'top-up' | 'refill' | 'adjustment', ref: string): Promise<CreditWrite> {
    checkAmount(amount, `${kind} amount`, kind === 'adjustment');
    return writeOf(await this.#redis.run('credits_add', this.#keys.creditAccount(tenantId), [tenantId, kind, amount, ref]));
  }

  async reserve(tenantId: string, reservationId: string, amount: number, ttlMs: number): Promise<ReserveResult> {
    checkAmount(amount, 'reservation amount');
    checkPositiveInteger(ttlMs, 'reservation ttlMs');
    const [ok, available] = (await this.#redis.run('credits_reserve', this.#keys.creditAccount(tenantId), [reservationId, amount, ttlMs])) as [number, number];
    return { ok: Number(ok) === 1, available: Number(available) };
  }

  async commit(tenantId: string, reservationId: string, options: CommitOptions = {}): Promise<CreditWrite> {
    if (options.amount !== undefined) checkAmount(options.amount, 'commit amount');
    const args = [tenantId, reservationId, options.amount === undefined ? '' : options.amount];
    return writeOf(await this.#redis.run('credits_commit', this.#keys.creditAccount(tenantId), args));
  }

  async release(tenantId: string, reservationId: string): Promise<boolean> {
    return Number(await this.#redis.run('credits_release', this.#keys.creditAccount(tenantId), [reservationId])) === 1;
  }

  async readLedger(tenantId: string, query: LedgerQuery): Promise<CreditLedgerEntry[]> {
    const max = query.before === undefined ? '+inf' : `(${query.before}`;
    const members = await this.#redis.call((c) => c.zrevrangebyscore(this.#keys.ledger(tenantId), max, '-inf', 'LIMIT', 0, query.limit));
    return members.map((member) => JSON.parse(member) as CreditLedgerEntry);
  }

  async getRefillSettings(tenantId: string): Promise<RefillSettings | undefined> {
    const raw = await this.#redis.call((c) => c.get(this.#keys.refillSettings(tenantId)));
    return raw === null ? undefined : (JSON.parse(raw) as RefillSettings);
  }

  /** One SET of the whole settings JSON: atomic without a script. */
  async setRefillSettings(tenantId: string, settings: RefillSettings): Promise<void> {
    checkRefillSettings(settings);
    const { enabled, threshold, amount, paused, pausedReason } = settings;
    await this.#redis.call((c) => c.set(this.#keys.refillSettings(tenantId), JSON.stringify({ enabled, threshold, amount, paused, pausedReason })));
  }

  async claimRefill(tenantId: string, refillId: string, ttlMs: number): Promise<boolean> {
    checkPositiveInteger(ttlMs, 'refill ttlMs');
    const k = this.#keys;
    const keys = [k.credits(tenantId), k.reservations(tenantId), k.reservationAmounts(tenantId), k.refillSettings(tenantId), k.refillInFlight(tenantId)];
    return Number(await this.#redis.run('refill_claim', keys, [refillId, ttlMs])) === 1;
  }

  async finishRefill(tenantId: string, refillId: string, outcome: RefillOutcome): Promise<CreditLedgerEntry | undefined> {
    if (outcome.result === 'purchased') checkAmount(outcome.amount, 'refill amount');
    const k = this.#keys;
    const keys = [k.credits(tenantId), k.ledgerRefs(tenantId), k.ledger(tenantId), k.refillSettings(tenantId), k.refillInFlight(tenantId)];
    const amount = outcome.result === 'purchased' ? outcome.amount : 0;
    const reason = outcome.result === 'purchased' ? '' : outcome.reason;
    return entryOf(await this.#redis.run('refill_finish', keys, [tenantId, refillId, outcome.result, amount, reason]));
  }
}
