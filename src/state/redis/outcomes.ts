/**
 * Redis store: the outcome stream, in the {outcomes} slot. Exports RedisOutcomes.
 * Choice: a Redis Stream whose entry ids are "<seq>-0", seq from an INCRBY counter in the same
 * append script (not XADD's time-based ids), so seq is store-wide, gap-free and increasing like
 * the embedded stream; XRANGE "(<afterSeq>-0" pages from any seq. Per-message and per-tenant
 * indexes are ZSETs scored by seq. readOutcomes runs one read-only script that walks the
 * narrowest index (message, tenant, else the stream) and filters type/tenant server-side.
 * The append also adds the records to per-tenant hourly counters (volumes.ts), in HASHes per
 * tenant and UTC day that expire after 32 days; tenantVolumes sums them.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { OutcomeQuery } from '../store.ts';
import { emptyVolumes, volumeBucket, volumeDelta, VOLUME_RETENTION_MS, type TenantVolumes } from '../volumes.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

const DAY_MS = 86_400_000;
const dayStart = (at: number) => Math.floor(at / DAY_MS) * DAY_MS;
const counterFields = (v: TenantVolumes): [string, number][] => [['r', v.received], ['a', v.attempted], ['h', v.hardBounces], ['c', v.complaints]];

export class RedisOutcomes {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async append(records: readonly OutcomeRecord[]): Promise<void> {
    if (records.length === 0) return;
    const keys = [this.#keys.outcomeSeq(), this.#keys.outcomeStream()];
    const keyIndex = new Map<string, number>();
    const indexOf = (key: string | undefined): number => {
      if (key === undefined) return 0;
      let index = keyIndex.get(key);
      if (index === undefined) {
        keys.push(key);
        index = keys.length;
        keyIndex.set(key, index);
      }
      return index;
    };
    const increments: (string | number)[][] = [];
    for (const { tenantId, bucket, volumes } of volumeDelta(records)) {
      const counters = indexOf(this.#keys.outcomeVolumes(tenantId, dayStart(bucket)));
      for (const [field, amount] of counterFields(volumes)) if (amount > 0) increments.push([counters, `${bucket}:${field}`, amount]);
    }
    const args: (string | number)[] = [records.length, increments.length];
    for (const record of records) {
      const { seq: _ignored, ...rest } = record;
      const byMessage = indexOf(record.messageId === undefined ? undefined : this.#keys.outcomesByMessage(record.messageId));
      const byTenant = indexOf(record.tenantId === undefined ? undefined : this.#keys.outcomesByTenant(record.tenantId));
      args.push(JSON.stringify(rest), record.type, record.tenantId ?? '', byMessage, byTenant);
    }
    for (const increment of increments) args.push(...increment);
    await this.#redis.run('outcomes_append', keys, args);
  }

  /** Sums the tenant's hourly counters from `since`'s bucket on, one HGETALL per UTC day. */
  async volumes(tenantId: string, since: number): Promise<TenantVolumes> {
    const now = Date.now();
    const from = Math.max(volumeBucket(since), volumeBucket(now) - VOLUME_RETENTION_MS);
    const days: number[] = [];
    for (let day = dayStart(from); day <= now; day += DAY_MS) days.push(day);
    const hashes = await Promise.all(days.map((day) => this.#redis.call((c) => c.hgetall(this.#keys.outcomeVolumes(tenantId, day)))));
    const total = emptyVolumes();
    const names: Record<string, keyof TenantVolumes> = { r: 'received', a: 'attempted', h: 'hardBounces', c: 'complaints' };
    for (const hash of hashes) {
      for (const [field, value] of Object.entries(hash)) {
        const [bucket, kind] = field.split(':');
        const name = names[kind ?? ''];
        if (name && Number(bucket) >= from) total[name] += Number(value);
      }
    }
    return total;
  }

  async read(query: OutcomeQuery): Promise<OutcomeRecord[]> {
    const limit = query.limit ?? 0;
    if (query.limit !== undefined && limit <= 0) return [];
    const keys = [this.#keys.outcomeStream()];
    if (query.messageId !== undefined) keys.push(this.#keys.outcomesByMessage(query.messageId));
    else if (query.tenantId !== undefined) keys.push(this.#keys.outcomesByTenant(query.tenantId));
    const args = [query.afterSeq ?? 0, limit, query.tenantId ?? '', ...(query.types ?? [])];
    const flat = (await this.#redis.run('outcomes_read', keys, args)) as string[];
    const out: OutcomeRecord[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out.push({ ...(JSON.parse(String(flat[i + 1])) as OutcomeRecord), seq: Number(flat[i]) });
    }
    return out;
  }
}
