/**
 * Embedded store: tenants and API keys. Exports TenantRecords (one per store).
 * Invariants, each kept by doing the check and the writes in one LMDB write transaction:
 * a tenant name is unique (state.tenantNames), a key hash maps to exactly one key
 * (state.apiKeyHashes), and every key is indexed under its tenant (state.apiKeysByTenant).
 * Checks run before any write inside a transaction, so a thrown error leaves nothing behind.
 */
import { ErrorCodes, FerryError, newPrefixedId, newTenantRecord } from '../../domain/index.ts';
import type { ApiKeyRecord, Tenant, TenantStatus } from '../../domain/index.ts';
import type { NewTenant, TenantPatch } from '../store.ts';
import { INDEX_END, type StateDatabases } from './databases.ts';

function notFound(what: string): FerryError {
  return new FerryError(ErrorCodes.NOT_FOUND, what);
}

export class TenantRecords {
  readonly #dbs: StateDatabases;

  constructor(dbs: StateDatabases) {
    this.#dbs = dbs;
  }

  async create(input: NewTenant): Promise<Tenant> {
    const tenant = newTenantRecord(input, newPrefixedId('tn'), Date.now());
    const { root, tenants, tenantNames } = this.#dbs;
    return root.transaction(() => {
      if (tenantNames.get(tenant.name) !== undefined) {
        throw new FerryError(ErrorCodes.STATE_CONFLICT, `a tenant named "${tenant.name}" already exists`);
      }
      tenants.put(tenant.id, tenant);
      tenantNames.put(tenant.name, tenant.id);
      return tenant;
    });
  }

  get(idOrName: string): Tenant | undefined {
    const { tenants, tenantNames } = this.#dbs;
    const byId = tenants.get(idOrName);
    if (byId) return byId;
    const id = tenantNames.get(idOrName);
    return id === undefined ? undefined : tenants.get(id);
  }

  list(): Tenant[] {
    return [...this.#dbs.tenants.getRange().map(({ value }) => value)].sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Reads the tenant inside the write transaction, applies `change`, writes it back. */
  #modify(tenantId: string, change: (tenant: Tenant) => Tenant): Promise<Tenant> {
    const { root, tenants } = this.#dbs;
    return root.transaction(() => {
      const current = tenants.get(tenantId);
      if (!current) throw notFound(`no tenant with id ${tenantId}`);
      const next = change(current);
      tenants.put(tenantId, next);
      return next;
    });
  }

  /** `limits` / `contentPolicy`: a value replaces the field, `null` removes it, absent keeps it. */
  update(tenantId: string, patch: TenantPatch): Promise<Tenant> {
    return this.#modify(tenantId, (tenant) => {
      const next: Record<string, unknown> = {
        ...tenant,
        ...(patch.pool === undefined ? {} : { pool: patch.pool }),
        ...(patch.contactEmail === undefined ? {} : { contactEmail: patch.contactEmail }),
        ...(patch.ipFallback === undefined ? {} : { ipFallback: patch.ipFallback }),
        ...(patch.relayNetworks === undefined ? {} : { relayNetworks: [...patch.relayNetworks] }),
      };
      for (const field of ['limits', 'contentPolicy'] as const) {
        if (patch[field] === null) delete next[field];
        else if (patch[field] !== undefined) next[field] = patch[field];
      }
      return next as unknown as Tenant;
    });
  }

  setStatus(tenantId: string, status: TenantStatus, reason?: string): Promise<Tenant> {
    return this.#modify(tenantId, (tenant) => {
      const { statusReason: _previous, ...rest } = tenant;
      return reason === undefined ? { ...rest, status } : { ...rest, status, statusReason: reason };
    });
  }

  addApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord> {
    if (!/^[0-9a-f]{64}$/.test(keyHash)) {
      return Promise.reject(new FerryError(ErrorCodes.INVALID_INPUT, 'an API key hash must be 64 lowercase hex characters'));
    }
    const record: ApiKeyRecord = { id: newPrefixedId('key'), tenantId, hash: keyHash, createdAt: Date.now() };
    const { root, tenants, apiKeys, apiKeyHashes, apiKeysByTenant } = this.#dbs;
    return root.transaction(() => {
      if (!tenants.get(tenantId)) throw notFound(`no tenant with id ${tenantId}`);
      if (apiKeyHashes.get(keyHash) !== undefined) throw new FerryError(ErrorCodes.STATE_CONFLICT, 'this API key is already registered');
      apiKeys.put(record.id, record);
      apiKeyHashes.put(keyHash, record.id);
      apiKeysByTenant.put([tenantId, record.id], true);
      return record;
    });
  }

  /** Revoked keys are still found (the caller checks revokedAt and answers 535). */
  findApiKeyByHash(keyHash: string): ApiKeyRecord | undefined {
    const id = this.#dbs.apiKeyHashes.get(keyHash);
    return id === undefined ? undefined : this.#dbs.apiKeys.get(id);
  }

  listApiKeys(tenantId: string): ApiKeyRecord[] {
    const { apiKeys, apiKeysByTenant } = this.#dbs;
    const ids = apiKeysByTenant.getKeys({ start: [tenantId, ''], end: [tenantId, INDEX_END] });
    const records: ApiKeyRecord[] = [];
    for (const [, keyId] of ids) {
      const record = apiKeys.get(keyId);
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Idempotent: revoking a revoked key keeps its first revokedAt. */
  revokeApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const { root, apiKeys } = this.#dbs;
    return root.transaction(() => {
      const current = apiKeys.get(keyId);
      if (!current) return undefined;
      if (current.revokedAt !== undefined) return current;
      const revoked: ApiKeyRecord = { ...current, revokedAt: Date.now() };
      apiKeys.put(keyId, revoked);
      return revoked;
    });
  }
}
