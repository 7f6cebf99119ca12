/**
 * Embedded store: the limit primitives. Exports LimitRecords: GCRA rate limiting (gcraStep on
 * a stored TAT), concurrency leases (holders with expiry) and daily quota counters.
 * Each call is one LMDB write transaction (read + decide + write together), so concurrent
 * callers in this process or another process on the same env never pass a limit together.
 * A quota key keeps only its current day: a new day starts the count from zero.
 */
import type { DailyCount, RateDecision, RateSpec } from '../credit-types.ts';
import { checkPositiveInteger, checkRateSpec } from '../credit-types.ts';
import { gcraStep, rateKeySpec } from '../gcra.ts';
import type { StateDatabases } from './databases.ts';

export class LimitRecords {
  readonly #dbs: StateDatabases;

  constructor(dbs: StateDatabases) {
    this.#dbs = dbs;
  }

  rateLimit(key: string, spec: RateSpec, now: number): Promise<RateDecision> {
    checkRateSpec(spec);
    const { root, rateTats } = this.#dbs;
    const rateKey = `${key}@${rateKeySpec(spec)}`;
    return root.transaction(() => {
      const step = gcraStep(rateTats.get(rateKey), now, spec);
      if (step.nextTat !== undefined) rateTats.put(rateKey, step.nextTat);
      return step.decision;
    });
  }

  acquireLease(key: string, holderId: string, max: number, ttlMs: number): Promise<boolean> {
    checkPositiveInteger(max, 'lease max');
    checkPositiveInteger(ttlMs, 'lease ttlMs');
    const { root, leases } = this.#dbs;
    return root.transaction(() => {
      const now = Date.now();
      const live = Object.entries(leases.get(key) ?? {}).filter(([, expiresAt]) => expiresAt > now);
      const holders = Object.fromEntries(live);
      if (holders[holderId] === undefined && live.length >= max) {
        leases.put(key, holders);
        return false;
      }
      leases.put(key, { ...holders, [holderId]: now + ttlMs });
      return true;
    });
  }

  async releaseLease(key: string, holderId: string): Promise<void> {
    const { root, leases } = this.#dbs;
    await root.transaction(() => {
      const holders = leases.get(key);
      if (!holders || holders[holderId] === undefined) return;
      const { [holderId]: _released, ...rest } = holders;
      if (Object.keys(rest).length === 0) leases.remove(key);
      else leases.put(key, rest);
    });
  }

  incrementDaily(key: string, day: string, by: number, max: number): Promise<DailyCount> {
    checkPositiveInteger(by, 'daily increment');
    if (!Number.isSafeInteger(max) || max < 0) checkPositiveInteger(max, 'daily max');
    const { root, dailyCounts } = this.#dbs;
    return root.transaction(() => {
      const stored = dailyCounts.get(key);
      const count = stored?.day === day ? stored.count : 0;
      if (count + by > max) return { allowed: false, count };
      dailyCounts.put(key, { day, count: count + by });
      return { allowed: true, count: count + by };
    });
  }
}
