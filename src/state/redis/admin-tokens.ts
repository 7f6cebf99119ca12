/**
 * Redis store: admin API tokens, one HASH per token (fields JSON-encoded, records.ts) in the
 * catalog slot plus a SET of token ids. add is one script (refuses an existing id); revoke
 * reuses apikey_revoke.lua (first revokedAt wins). Exports RedisAdminTokens.
 */
import { ErrorCodes, FerryError, type AdminTokenRecord } from '../../domain/index.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';
import { fromFields, toFieldArgs } from './records.ts';

export class RedisAdminTokens {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async add(record: AdminTokenRecord): Promise<AdminTokenRecord> {
    const keys = [this.#keys.adminToken(record.id), this.#keys.adminTokenIds()];
    const status = await this.#redis.run('admin_token_add', keys, [record.id, ...toFieldArgs(record)]);
    if (status === 'conflict') throw new FerryError(ErrorCodes.STATE_CONFLICT, `admin token ${record.id} already exists`);
    return record;
  }

  async get(id: string): Promise<AdminTokenRecord | undefined> {
    return fromFields<AdminTokenRecord>(await this.#redis.call((c) => c.hgetall(this.#keys.adminToken(id))));
  }

  async list(): Promise<AdminTokenRecord[]> {
    const ids = await this.#redis.call((c) => c.smembers(this.#keys.adminTokenIds()));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is AdminTokenRecord => r !== undefined).sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(id: string, at: number): Promise<AdminTokenRecord | undefined> {
    return fromFields<AdminTokenRecord>(await this.#redis.run('apikey_revoke', [this.#keys.adminToken(id)], [JSON.stringify(at)]));
  }
}
