/**
 * Redis store: the sending-IP inventory, all in the {ips} slot (keys.ts). Exports RedisIps.
 * Records and their revisions are two hashes keyed by address; ip_save.lua compares the stored
 * revision with the expected one and writes record, revision and history entry at once (or
 * nothing). History is a list per IP, newest first, trimmed to IP_HISTORY_CAP by the same script.
 * Pools are one hash name → JSON: a put or delete is a single command, so no script is needed.
 */
import { ErrorCodes, FerryError, type IpHistoryEntry, type IpRecord, type PoolRecord } from '../../domain/index.ts';
import { byAddress, byPoolName, checkIpSave, IP_HISTORY_CAP } from '../ip-inventory.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

function parse<T>(raw: string | null): T | undefined {
  return raw === null ? undefined : (JSON.parse(raw) as T);
}

export class RedisIps {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async get(address: string): Promise<IpRecord | undefined> {
    return parse<IpRecord>(await this.#redis.call((c) => c.hget(this.#keys.ipRecords(), address)));
  }

  async list(): Promise<IpRecord[]> {
    const values = await this.#redis.call((c) => c.hvals(this.#keys.ipRecords()));
    return values.map((raw) => JSON.parse(raw) as IpRecord).sort(byAddress);
  }

  async save(record: IpRecord, expectedRevision: number | undefined, history: IpHistoryEntry): Promise<IpRecord> {
    checkIpSave(record, expectedRevision, history);
    const revision = (expectedRevision ?? 0) + 1;
    const stored: IpRecord = { ...record, revision };
    const k = this.#keys;
    const keys = [k.ipRecords(), k.ipRevisions(), k.ipHistory(record.address)];
    const args = [record.address, expectedRevision === undefined ? '' : String(expectedRevision), String(revision), JSON.stringify(stored), JSON.stringify(history), IP_HISTORY_CAP];
    const status = await this.#redis.run('ip_save', keys, args);
    if (status !== 'ok') {
      throw new FerryError(ErrorCodes.STATE_CONFLICT, `IP ${record.address} changed meanwhile: expected revision ${expectedRevision ?? 'none'}`);
    }
    return stored;
  }

  /** Newest first, at most `limit`. */
  async history(address: string, limit: number): Promise<IpHistoryEntry[]> {
    if (limit <= 0) return [];
    const values = await this.#redis.call((c) => c.lrange(this.#keys.ipHistory(address), 0, limit - 1));
    return values.map((raw) => JSON.parse(raw) as IpHistoryEntry);
  }

  async getPool(name: string): Promise<PoolRecord | undefined> {
    return parse<PoolRecord>(await this.#redis.call((c) => c.hget(this.#keys.ipPools(), name)));
  }

  async listPools(): Promise<PoolRecord[]> {
    const values = await this.#redis.call((c) => c.hvals(this.#keys.ipPools()));
    return values.map((raw) => JSON.parse(raw) as PoolRecord).sort(byPoolName);
  }

  async putPool(pool: PoolRecord): Promise<PoolRecord> {
    await this.#redis.call((c) => c.hset(this.#keys.ipPools(), pool.name, JSON.stringify(pool)));
    return pool;
  }

  async deletePool(name: string): Promise<boolean> {
    return (await this.#redis.call((c) => c.hdel(this.#keys.ipPools(), name))) === 1;
  }
}
