/**
 * Redis store: the outcome stream, in the {outcomes} slot. Exports RedisOutcomes.
 * Choice: a Redis Stream whose entry ids are "<seq>-0", seq from an INCRBY counter in the same
 * append script (not XADD's time-based ids), so seq is store-wide, gap-free and increasing like
 * the embedded stream; XRANGE "(<afterSeq>-0" pages from any seq. Per-message and per-tenant
 * indexes are ZSETs scored by seq. readOutcomes runs one read-only script that walks the
 * narrowest index (message, tenant, else the stream) and filters type/tenant server-side.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { OutcomeQuery } from '../store.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

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
    const args: (string | number)[] = [];
    for (const record of records) {
      const { seq: _ignored, ...rest } = record;
      const byMessage = indexOf(record.messageId === undefined ? undefined : this.#keys.outcomesByMessage(record.messageId));
      const byTenant = indexOf(record.tenantId === undefined ? undefined : this.#keys.outcomesByTenant(record.tenantId));
      args.push(JSON.stringify(rest), record.type, record.tenantId ?? '', byMessage, byTenant);
    }
    await this.#redis.run('outcomes_append', keys, args);
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
