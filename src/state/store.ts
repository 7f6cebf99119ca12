/**
 * StateStore: the one interface to shared state (architecture §2). Two implementations sit
 * behind it: `embedded` (LMDB in dataDir, the default) and, from the state/credits issue on,
 * `redis`. Every method is async so that both fit; every multi-step change is atomic inside
 * the implementation (one LMDB transaction / one Lua script). Secrets: only API key hashes are
 * stored; DKIM private keys are encrypted at rest and returned decrypted.
 * One contract test suite (state/contract.ts) runs against every implementation.
 */
import type { ApiKeyRecord, OutcomeRecord, OutcomeType, SendingDomain, Tenant, TenantStatus } from '../domain/index.ts';

export interface NewTenant {
  readonly name: string;
  readonly pool?: string;
  readonly dedicatedIps?: readonly string[];
  readonly relayNetworks?: readonly string[];
}

export interface TenantPatch {
  readonly pool?: string;
  readonly dedicatedIps?: readonly string[];
  readonly relayNetworks?: readonly string[];
}

export interface OutcomeQuery {
  readonly messageId?: string;
  readonly tenantId?: string;
  readonly types?: readonly OutcomeType[];
  /** Only records with seq greater than this. */
  readonly afterSeq?: number;
  readonly limit?: number;
}

export interface StateStore {
  readonly backend: 'embedded' | 'redis';

  /** Tenants. `name` is unique; lookups accept an id or a name. */
  createTenant(input: NewTenant): Promise<Tenant>;
  getTenant(idOrName: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  updateTenant(tenantId: string, patch: TenantPatch): Promise<Tenant>;
  setTenantStatus(tenantId: string, status: TenantStatus, reason?: string): Promise<Tenant>;

  /** API keys, stored as sha256 hex hashes only. */
  addApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  /** Returns the revoked record, or undefined when no such key exists. */
  revokeApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;

  /** Sending domains with DKIM keys (private keys encrypted at rest, returned decrypted). */
  addDomain(domain: SendingDomain): Promise<SendingDomain>;
  getDomain(domain: string): Promise<SendingDomain | undefined>;
  listDomains(tenantId: string): Promise<SendingDomain[]>;

  /** The outcome stream: append-only, each record gets a store-wide increasing `seq`. */
  appendOutcomes(records: readonly OutcomeRecord[]): Promise<void>;
  readOutcomes(query: OutcomeQuery): Promise<OutcomeRecord[]>;

  close(): Promise<void>;
}
