/**
 * Embedded store: the outcome stream. Exports OutcomeStream.
 * appendOutcomes assigns seq = last + 1 per record inside one write transaction (the counter
 * lives in state.meta, so appends from several processes never share a seq) and writes the
 * record plus its secondary indexes [messageId, seq] and [tenantId, seq]. readOutcomes walks the
 * narrowest index the query allows (message, then tenant, then the whole stream from afterSeq),
 * in seq order, and stops at `limit`.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { OutcomeQuery } from '../store.ts';
import type { StateDatabases } from './databases.ts';

const SEQ_KEY = 'outcomeSeq';

export class OutcomeStream {
  readonly #dbs: StateDatabases;

  constructor(dbs: StateDatabases) {
    this.#dbs = dbs;
  }

  async append(records: readonly OutcomeRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { root, meta, outcomes, outcomesByMessage, outcomesByTenant } = this.#dbs;
    await root.transaction(() => {
      let seq = Number(meta.get(SEQ_KEY) ?? 0);
      for (const record of records) {
        seq += 1;
        outcomes.put(seq, { ...record, seq });
        if (record.messageId !== undefined) outcomesByMessage.put([record.messageId, seq], true);
        if (record.tenantId !== undefined) outcomesByTenant.put([record.tenantId, seq], true);
      }
      meta.put(SEQ_KEY, seq);
    });
  }

  /** The seqs to visit, in order, from the narrowest index the query allows. */
  #candidateSeqs(query: OutcomeQuery): Iterable<number> {
    const after = query.afterSeq ?? 0;
    const { outcomes, outcomesByMessage, outcomesByTenant } = this.#dbs;
    if (query.messageId !== undefined) {
      const keys = outcomesByMessage.getKeys({ start: [query.messageId, after], exclusiveStart: true, end: [query.messageId, Infinity] });
      return keys.map(([, seq]) => seq);
    }
    if (query.tenantId !== undefined) {
      const keys = outcomesByTenant.getKeys({ start: [query.tenantId, after], exclusiveStart: true, end: [query.tenantId, Infinity] });
      return keys.map(([, seq]) => seq);
    }
    return outcomes.getKeys({ start: after, exclusiveStart: true });
  }

  read(query: OutcomeQuery): OutcomeRecord[] {
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
}
