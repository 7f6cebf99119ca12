/**
 * Redis store: the limit primitives, one key and one script each. Exports RedisLimits.
 * rateLimit: GCRA (scripts/rate_gcra.lua, a port of gcra.ts) on a key that carries the spec;
 * the caller's `now` is used so one clock drives both backends and tests. Leases: a ZSET of
 * holders scored by expiry (server time); expired holders drop out on every acquire.
 * Daily quota: one counter per key and day, expiring after two days.
 */
import type { DailyCount, RateDecision, RateSpec } from '../credit-types.ts';
import { checkPositiveInteger, checkRateSpec } from '../credit-types.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

const DAILY_TTL_SECONDS = 2 * 86_400;

export class RedisLimits {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async rateLimit(key: string, spec: RateSpec, now: number): Promise<RateDecision> {
    checkRateSpec(spec);
    const interval = 1000 / spec.ratePerSecond;
    const reply = (await this.#redis.run('rate_gcra', [this.#keys.rate(key, spec)], [now, interval, spec.burst])) as [number, number];
    return { allowed: Number(reply[0]) === 1, retryAfterMs: Number(reply[1]) };
  }

  async acquireLease(key: string, holderId: string, max: number, ttlMs: number): Promise<boolean> {
    checkPositiveInteger(max, 'lease max');
    checkPositiveInteger(ttlMs, 'lease ttlMs');
    return Number(await this.#redis.run('lease_acquire', [this.#keys.lease(key)], [holderId, max, ttlMs])) === 1;
  }

  async releaseLease(key: string, holderId: string): Promise<void> {
    await this.#redis.call((c) => c.zrem(this.#keys.lease(key), holderId));
  }

  async incrementDaily(key: string, day: string, by: number, max: number): Promise<DailyCount> {
    checkPositiveInteger(by, 'daily increment');
    if (!Number.isSafeInteger(max) || max < 0) checkPositiveInteger(max, 'daily max');
    const reply = (await this.#redis.run('daily_increment', [this.#keys.daily(key, day)], [by, max, DAILY_TTL_SECONDS])) as [number, number];
    return { allowed: Number(reply[0]) === 1, count: Number(reply[1]) };
  }
}
