/**
 * Redis store: tenants and API keys, all in the {catalog} slot. Exports RedisTenants.
 * A tenant is a hash (one JSON field per property); tenant-names maps name → id and is claimed
 * with HSETNX inside the create script, so names stay unique under races between nodes.
 * API keys: apikey-hashes maps hash → id (HSETNX: one key per hash), apikeys-of:<tenant> lists
 * a tenant's key ids. Patches and revokes are scripts that check existence and write at once.
 */
import { ErrorCodes, FerryError, newPrefixedId, newTenantRecord } from '../../domain/index.ts';
import type { ApiKeyRecord, Tenant, TenantStatus } from '../../domain/index.ts';
import type { NewTenant, TenantPatch } from '../store.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';
import { fromFields, toFieldArgs } from './records.ts';

function notFound(what: string): FerryError {
  return new FerryError(ErrorCodes.NOT_FOUND, what);
}

export class RedisTenants {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;

  constructor(redis: RedisConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#keys = keys;
  }

  async create(input: NewTenant): Promise<Tenant> {
    const tenant = newTenantRecord(input, newPrefixedId('tn'), Date.now());
    const k = this.#keys;
    const created = await this.#redis.run('tenant_create', [k.tenantNames(), k.tenant(tenant.id), k.tenantIds()], [tenant.name, tenant.id, ...toFieldArgs(tenant)]);
    if (Number(created) !== 1) throw new FerryError(ErrorCodes.STATE_CONFLICT, `a tenant named "${tenant.name}" already exists`);
    return tenant;
  }

  async get(idOrName: string): Promise<Tenant | undefined> {
    const byId = fromFields<Tenant>(await this.#redis.call((c) => c.hgetall(this.#keys.tenant(idOrName))));
    if (byId) return byId;
    const id = await this.#redis.call((c) => c.hget(this.#keys.tenantNames(), idOrName));
    return id === null ? undefined : fromFields<Tenant>(await this.#redis.call((c) => c.hgetall(this.#keys.tenant(id))));
  }

  async list(): Promise<Tenant[]> {
    const ids = await this.#redis.call((c) => c.smembers(this.#keys.tenantIds()));
    const tenants = await this.#readAll<Tenant>(ids.map((id) => this.#keys.tenant(id)));
    return tenants.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** HGETALL of many hashes in one pipeline; missing ones are skipped. */
  async #readAll<T>(keys: readonly string[]): Promise<T[]> {
    if (keys.length === 0) return [];
    const replies = await this.#redis.call(async (c) => {
      const pipeline = c.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      return (await pipeline.exec()) ?? [];
    });
    const out: T[] = [];
    for (const [error, raw] of replies) {
      if (error) throw error;
      const record = fromFields<T>(raw);
      if (record) out.push(record);
    }
    return out;
  }

  async #patch(tenantId: string, set: object, remove: readonly string[] = []): Promise<Tenant> {
    const args = toFieldArgs(set);
    const raw = await this.#redis.run('hash_patch', [this.#keys.tenant(tenantId)], [args.length / 2, ...args, ...remove]);
    const tenant = fromFields<Tenant>(raw);
    if (!tenant) throw notFound(`no tenant with id ${tenantId}`);
    return tenant;
  }

  /** `limits` / `contentPolicy`: a value replaces the field, `null` removes it (HDEL), absent keeps it. */
  update(tenantId: string, patch: TenantPatch): Promise<Tenant> {
    const cleared = (['limits', 'contentPolicy'] as const).filter((field) => patch[field] === null);
    return this.#patch(
      tenantId,
      {
        pool: patch.pool,
        contactEmail: patch.contactEmail,
        ipFallback: patch.ipFallback,
        relayNetworks: patch.relayNetworks === undefined ? undefined : [...patch.relayNetworks],
        limits: patch.limits ?? undefined,
        contentPolicy: patch.contentPolicy ?? undefined,
      },
      cleared,
    );
  }

  setStatus(tenantId: string, status: TenantStatus, reason?: string): Promise<Tenant> {
    return reason === undefined ? this.#patch(tenantId, { status }, ['statusReason']) : this.#patch(tenantId, { status, statusReason: reason });
  }

  async addApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord> {
    if (!/^[0-9a-f]{64}$/.test(keyHash)) throw new FerryError(ErrorCodes.INVALID_INPUT, 'an API key hash must be 64 lowercase hex characters');
    const record: ApiKeyRecord = { id: newPrefixedId('key'), tenantId, hash: keyHash, createdAt: Date.now() };
    const k = this.#keys;
    const keys = [k.tenant(tenantId), k.apiKeyHashes(), k.apiKey(record.id), k.apiKeysOf(tenantId)];
    const status = await this.#redis.run('apikey_add', keys, [keyHash, record.id, ...toFieldArgs(record)]);
    if (status === 'missing') throw notFound(`no tenant with id ${tenantId}`);
    if (status === 'conflict') throw new FerryError(ErrorCodes.STATE_CONFLICT, 'this API key is already registered');
    return record;
  }

  /** Revoked keys are still found (the caller checks revokedAt and answers 535). */
  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const id = await this.#redis.call((c) => c.hget(this.#keys.apiKeyHashes(), keyHash));
    if (id === null) return undefined;
    return fromFields<ApiKeyRecord>(await this.#redis.call((c) => c.hgetall(this.#keys.apiKey(id))));
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const ids = await this.#redis.call((c) => c.smembers(this.#keys.apiKeysOf(tenantId)));
    const records = await this.#readAll<ApiKeyRecord>(ids.map((id) => this.#keys.apiKey(id)));
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  async revokeApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const raw = await this.#redis.run('apikey_revoke', [this.#keys.apiKey(keyId)], [JSON.stringify(Date.now())]);
    return fromFields<ApiKeyRecord>(raw);
  }
}
