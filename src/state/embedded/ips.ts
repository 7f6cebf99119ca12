/**
 * Embedded store: the sending-IP inventory in sub-databases `state.ips` (address → record),
 * `state.ipHistory` ([address, revision] → entry) and `state.ipPools` (name → pool). Exports
 * IpRecords. saveIp is one LMDB write transaction: check the stored revision, write the record
 * with the next revision and its history entry. Every save adds exactly one entry, so the new
 * revision is the entry's sequence number: history reads newest first by key, and the entry
 * IP_HISTORY_CAP saves older is dropped in the same transaction (the Redis store keeps as many).
 */
import type { Database } from 'lmdb';
import { ErrorCodes, FerryError, type IpHistoryEntry, type IpRecord, type PoolRecord } from '../../domain/index.ts';
import type { LocalDatabase } from '../../platform/index.ts';
import { byAddress, byPoolName, checkIpSave, IP_HISTORY_CAP } from '../ip-inventory.ts';

export class IpRecords {
  readonly #root: LocalDatabase;
  readonly #ips: Database<IpRecord, string>;
  readonly #history: Database<IpHistoryEntry, [string, number]>;
  readonly #pools: Database<PoolRecord, string>;

  constructor(root: LocalDatabase) {
    this.#root = root;
    this.#ips = root.openDB({ name: 'state.ips' });
    this.#history = root.openDB({ name: 'state.ipHistory' });
    this.#pools = root.openDB({ name: 'state.ipPools' });
  }

  get(address: string): IpRecord | undefined {
    return this.#ips.get(address);
  }

  list(): IpRecord[] {
    return [...this.#ips.getRange()].map(({ value }) => value).sort(byAddress);
  }

  async save(record: IpRecord, expectedRevision: number | undefined, history: IpHistoryEntry): Promise<IpRecord> {
    checkIpSave(record, expectedRevision, history);
    const revision = (expectedRevision ?? 0) + 1;
    const stored: IpRecord = { ...record, revision };
    return this.#root.transaction(() => {
      const current = this.#ips.get(record.address);
      if (current?.revision !== expectedRevision) {
        const found = current === undefined ? 'not stored' : `at revision ${current.revision}`;
        throw new FerryError(ErrorCodes.STATE_CONFLICT, `IP ${record.address} changed meanwhile: expected revision ${expectedRevision ?? 'none'}, ${found}`);
      }
      void this.#ips.put(record.address, stored);
      void this.#history.put([record.address, revision], history);
      if (revision > IP_HISTORY_CAP) void this.#history.remove([record.address, revision - IP_HISTORY_CAP]);
      return stored;
    });
  }

  /** Newest first, at most `limit`. */
  history(address: string, limit: number): IpHistoryEntry[] {
    if (limit <= 0) return [];
    const range = this.#history.getRange({ start: [address, Number.MAX_SAFE_INTEGER], end: [address, 0], reverse: true, limit });
    return [...range].map(({ value }) => value);
  }

  getPool(name: string): PoolRecord | undefined {
    return this.#pools.get(name);
  }

  listPools(): PoolRecord[] {
    return [...this.#pools.getRange()].map(({ value }) => value).sort(byPoolName);
  }

  async putPool(pool: PoolRecord): Promise<PoolRecord> {
    await this.#pools.put(pool.name, pool);
    return pool;
  }

  async deletePool(name: string): Promise<boolean> {
    return this.#root.transaction(() => {
      if (this.#pools.get(name) === undefined) return false;
      void this.#pools.remove(name);
      return true;
    });
  }
}
