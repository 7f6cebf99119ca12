/**
 * Embedded store: the outcome stream and the per-tenant volume counters. Exports OutcomeStream.
 * appendOutcomes assigns seq = last + 1 per record inside one write transaction (the counter
 * lives in state.meta, so appends from several processes never share a seq) and writes the
 * record plus its secondary indexes [messageId, seq], [tenantId, seq] and [type, seq], and adds
 * it to its tenant's hourly counters (volumes.ts), all in that transaction. readOutcomes walks
 * the narrowest index the query allows (message; else tenant; else the type indexes, merged in
 * seq order; else the whole stream from afterSeq) and stops at `limit`, so a reader of a few
 * types (the feedback tails) never decodes the records of the others.
 * Stores written before the type indexes and counters existed are backfilled once, in slices,
 * before the first append or read: records up to `outcomeLegacyEnd` (the seq when this code
 * first opened the store) are indexed and counted; later ones were indexed by their append.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { OutcomeQuery } from '../store.ts';
import { addVolumes, emptyVolumes, volumeBucket, volumeDelta, VOLUME_RETENTION_MS, type TenantVolumes } from '../volumes.ts';
import type { StateDatabases } from './databases.ts';

const SEQ_KEY = 'outcomeSeq';
const LEGACY_END_KEY = 'outcomeLegacyEnd';
const BACKFILLED_KEY = 'outcomeBackfilledTo';
const BACKFILL_SLICE = 5_000;

export class OutcomeStream {
  readonly #dbs: StateDatabases;
  #ready: Promise<void> | undefined;

  constructor(dbs: StateDatabases) {
    this.#dbs = dbs;
  }

  /** Resolves once records from before the type indexes are indexed and counted; a failed backfill is tried again by the next call. */
  #backfilled(): Promise<void> {
    this.#ready ??= this.#backfill().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #backfill(): Promise<void> {
    const { root, meta } = this.#dbs;
    if (meta.get(LEGACY_END_KEY) === undefined) {
      await root.transaction(() => {
        if (meta.get(LEGACY_END_KEY) !== undefined) return;
        meta.put(LEGACY_END_KEY, Number(meta.get(SEQ_KEY) ?? 0));
        meta.put(BACKFILLED_KEY, 0);
      });
    }
    const legacyEnd = Number(meta.get(LEGACY_END_KEY));
    while (Number(meta.get(BACKFILLED_KEY) ?? 0) < legacyEnd) {
      await root.transaction(() => {
        const from = Number(meta.get(BACKFILLED_KEY) ?? 0);
        const to = Math.min(legacyEnd, from + BACKFILL_SLICE);
        if (from >= to) return;
        // Seqs are integers and getRange's end is exclusive: this slice is (from, to].
        const records = [...this.#dbs.outcomes.getRange({ start: from, end: to + 1, exclusiveStart: true }).map(({ value }) => value)];
        for (const record of records) this.#indexByType(record, record.seq ?? 0);
        this.#count(records);
        meta.put(BACKFILLED_KEY, to);
      });
    }
  }

  #indexByType(record: OutcomeRecord, seq: number): void {
    this.#dbs.outcomesByType.put([record.type, seq], true);
  }

  /** Adds the records to their tenants' hourly counters; a tenant's first bucket of an hour drops its expired ones. */
  #count(records: readonly OutcomeRecord[]): void {
    const { outcomeVolumes } = this.#dbs;
    for (const delta of volumeDelta(records)) {
      const key: [string, number] = [delta.tenantId, delta.bucket];
      const previous = outcomeVolumes.get(key);
      if (!previous) {
        const expired = outcomeVolumes.getKeys({ start: [delta.tenantId, 0], end: [delta.tenantId, delta.bucket - VOLUME_RETENTION_MS] });
        for (const old of [...expired]) outcomeVolumes.remove(old);
      }
      const [received, attempted, hardBounces, complaints] = previous ?? [0, 0, 0, 0];
      const v = delta.volumes;
      outcomeVolumes.put(key, [received + v.received, attempted + v.attempted, hardBounces + v.hardBounces, complaints + v.complaints]);
    }
  }

  async append(records: readonly OutcomeRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#backfilled();
    const { root, meta, outcomes, outcomesByMessage, outcomesByTenant } = this.#dbs;
    await root.transaction(() => {
      let seq = Number(meta.get(SEQ_KEY) ?? 0);
      for (const record of records) {
        seq += 1;
        outcomes.put(seq, { ...record, seq });
        if (record.messageId !== undefined) outcomesByMessage.put([record.messageId, seq], true);
        if (record.tenantId !== undefined) outcomesByTenant.put([record.tenantId, seq], true);
        this.#indexByType(record, seq);
      }
      this.#count(records);
      meta.put(SEQ_KEY, seq);
    });
  }

  /** The seqs to visit, in order, from the narrowest index the query allows. */
  #candidateSeqs(query: OutcomeQuery): Iterable<number> {
    const after = query.afterSeq ?? 0;
    const { outcomes, outcomesByMessage, outcomesByTenant, outcomesByType } = this.#dbs;
    const { messageId, tenantId } = query;
    if (messageId !== undefined) {
      const keys = outcomesByMessage.getKeys({ start: [messageId, after], exclusiveStart: true, end: [messageId, Infinity] });
      return keys.map(([, seq]) => seq);
    }
    if (tenantId !== undefined) {
      const keys = outcomesByTenant.getKeys({ start: [tenantId, after], exclusiveStart: true, end: [tenantId, Infinity] });
      return keys.map(([, seq]) => seq);
    }
    if (query.types && query.types.length > 0) {
      const perType = [...new Set(query.types)].map((type) => outcomesByType.getKeys({ start: [type, after], exclusiveStart: true, end: [type, Infinity] }).map(([, seq]) => seq));
      return mergeAscending(perType);
    }
    return outcomes.getKeys({ start: after, exclusiveStart: true });
  }

  async read(query: OutcomeQuery): Promise<OutcomeRecord[]> {
    await this.#backfilled();
    const limit = query.limit ?? Infinity;
    const types = query.types && query.types.length > 0 ? new Set(query.types) : undefined;
    const out: OutcomeRecord[] = [];
    if (limit <= 0) return out;
    for (const seq of this.#candidateSeqs(query)) {
      const record = this.#dbs.outcomes.get(seq);
      if (!record) continue;
      if (query.tenantId !== undefined && record.tenantId !== query.tenantId) continue;
      if (types && !types.has(record.type)) continue;
      out.push(record);
      if (out.length >= limit) break;
    }
    return out;
  }

  async volumes(tenantId: string, since: number): Promise<TenantVolumes> {
    await this.#backfilled();
    const from = Math.max(volumeBucket(since), volumeBucket(Date.now()) - VOLUME_RETENTION_MS);
    const total = emptyVolumes();
    for (const { value } of this.#dbs.outcomeVolumes.getRange({ start: [tenantId, from], end: [tenantId, Infinity] })) {
      const [received, attempted, hardBounces, complaints] = value;
      addVolumes(total, { received, attempted, hardBounces, complaints });
    }
    return total;
  }
}

/** The union of ascending seq sequences, ascending (each seq appears in one sequence only). */
function* mergeAscending(sequences: Iterable<number>[]): Generator<number> {
  const iterators = sequences.map((sequence) => sequence[Symbol.iterator]());
  const heads = iterators.map((iterator) => iterator.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head && !head.done && (best < 0 || head.value < (heads[best]?.value as number))) best = i;
    }
    if (best < 0) return;
    const head = heads[best] as IteratorYieldResult<number>;
    yield head.value;
    heads[best] = (iterators[best] as Iterator<number>).next();
  }
}
