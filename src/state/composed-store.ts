/**
 * ComposedStateStore: the one StateStore façade both backends share. A backend supplies its parts
 * (tenants, domains, outcomes, credits, limits, admin tokens, feedback) — each answering
 * synchronously (LMDB reads) or asynchronously (Redis) — and this class maps every StateStore
 * method to its part once, refusing calls after close() with MTA_ERR_STATE_UNAVAILABLE.
 * Subclasses: EmbeddedStateStore, RedisStateStore (closeBackend() ends their own resources).
 */
import type { AdminTokenRecord, IpHistoryEntry, IpRecord, OutcomeRecord, PoolRecord, SendingDomain, TenantStatus } from '../domain/index.ts';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import type { DomainKeySet, NewTenant, OutcomeQuery, StateStore, TenantPatch } from './store.ts';
import type { FeedbackState } from './feedback-types.ts';
import type { CommitOptions, LedgerQuery, RateSpec, RefillOutcome, RefillSettings } from './credit-types.ts';

type Maybe<T> = T | Promise<T>;
/** The signature of StateStore method K, allowed to answer without a promise. */
type Sig<K extends keyof StateStore> = StateStore[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Maybe<R> : never;

export interface StateStoreParts {
  readonly tenants: {
    create: Sig<'createTenant'>; get: Sig<'getTenant'>; list: Sig<'listTenants'>; update: Sig<'updateTenant'>;
    setStatus: Sig<'setTenantStatus'>; addApiKey: Sig<'addApiKey'>; findApiKeyByHash: Sig<'findApiKeyByHash'>;
    listApiKeys: Sig<'listApiKeys'>; revokeApiKey: Sig<'revokeApiKey'>;
  };
  readonly domains: { add: Sig<'addDomain'>; get: Sig<'getDomain'>; owner: Sig<'getDomainOwner'>; list: Sig<'listDomains'>; replaceKeys: Sig<'replaceDomainKeys'> };
  readonly outcomes: { append: Sig<'appendOutcomes'>; read: Sig<'readOutcomes'>; volumes: Sig<'tenantVolumes'> };
  readonly credits: {
    get: Sig<'getCredits'>; add: Sig<'addCredits'>; reserve: Sig<'reserveCredits'>; commit: Sig<'commitReservation'>;
    release: Sig<'releaseReservation'>; readLedger: Sig<'readLedger'>; getRefillSettings: Sig<'getRefillSettings'>;
    setRefillSettings: Sig<'setRefillSettings'>; claimRefill: Sig<'claimRefill'>; finishRefill: Sig<'finishRefill'>;
  };
  readonly limits: { rateLimit: Sig<'rateLimit'>; acquireLease: Sig<'acquireLease'>; releaseLease: Sig<'releaseLease'>; incrementDaily: Sig<'incrementDaily'> };
  readonly adminTokens: {
    add: Sig<'addAdminToken'>; get: Sig<'getAdminToken'>; list: Sig<'listAdminTokens'>;
    revoke(id: string, now: number): Maybe<AdminTokenRecord | undefined>;
  };
  readonly feedback: { [K in keyof FeedbackState]: Sig<K> };
  readonly ips: {
    get: Sig<'getIp'>; list: Sig<'listIps'>; save: Sig<'saveIp'>; history: Sig<'ipHistory'>;
    getPool: Sig<'getPool'>; listPools: Sig<'listPools'>; putPool: Sig<'putPool'>; deletePool: Sig<'deletePool'>;
  };
}

export abstract class ComposedStateStore implements StateStore {
  abstract readonly backend: StateStore['backend'];
  readonly #parts: StateStoreParts;
  #closed = false;

  protected constructor(parts: StateStoreParts) {
    this.#parts = parts;
  }

  /** The parts, after checking the store is still open. */
  #use(): StateStoreParts {
    if (this.#closed) throw new FerryError(ErrorCodes.STATE_UNAVAILABLE, 'the state store is closed');
    return this.#parts;
  }

  /** Ends what the backend itself opened (the store does not own an LMDB env it was given). */
  protected async closeBackend(): Promise<void> {}

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.closeBackend();
  }

  async createTenant(input: NewTenant) { return this.#use().tenants.create(input); }
  async getTenant(idOrName: string) { return this.#use().tenants.get(idOrName); }
  async listTenants() { return this.#use().tenants.list(); }
  async updateTenant(tenantId: string, patch: TenantPatch) { return this.#use().tenants.update(tenantId, patch); }
  async setTenantStatus(tenantId: string, status: TenantStatus, reason?: string) { return this.#use().tenants.setStatus(tenantId, status, reason); }
  async addApiKey(tenantId: string, keyHash: string) { return this.#use().tenants.addApiKey(tenantId, keyHash); }
  async findApiKeyByHash(keyHash: string) { return this.#use().tenants.findApiKeyByHash(keyHash); }
  async listApiKeys(tenantId: string) { return this.#use().tenants.listApiKeys(tenantId); }
  async revokeApiKey(keyId: string) { return this.#use().tenants.revokeApiKey(keyId); }

  async addDomain(domain: SendingDomain) { return this.#use().domains.add(domain); }
  async getDomain(domain: string) { return this.#use().domains.get(domain); }
  async getDomainOwner(domain: string) { return this.#use().domains.owner(domain); }
  async listDomains(tenantId: string) { return this.#use().domains.list(tenantId); }
  async replaceDomainKeys(domain: string, expectedSelectors: readonly string[], next: DomainKeySet) { return this.#use().domains.replaceKeys(domain, expectedSelectors, next); }

  async appendOutcomes(records: readonly OutcomeRecord[]) { return this.#use().outcomes.append(records); }
  async readOutcomes(query: OutcomeQuery) { return this.#use().outcomes.read(query); }
  async tenantVolumes(tenantId: string, since: number) { return this.#use().outcomes.volumes(tenantId, since); }

  async getCredits(tenantId: string) { return this.#use().credits.get(tenantId); }
  async addCredits(tenantId: string, amount: number, kind: 'top-up' | 'refill' | 'adjustment', ref: string) { return this.#use().credits.add(tenantId, amount, kind, ref); }
  async reserveCredits(tenantId: string, reservationId: string, amount: number, ttlMs: number) { return this.#use().credits.reserve(tenantId, reservationId, amount, ttlMs); }
  async commitReservation(tenantId: string, reservationId: string, options?: CommitOptions) { return this.#use().credits.commit(tenantId, reservationId, options); }
  async releaseReservation(tenantId: string, reservationId: string) { return this.#use().credits.release(tenantId, reservationId); }
  async readLedger(tenantId: string, query: LedgerQuery) { return this.#use().credits.readLedger(tenantId, query); }
  async getRefillSettings(tenantId: string) { return this.#use().credits.getRefillSettings(tenantId); }
  async setRefillSettings(tenantId: string, settings: RefillSettings) { return this.#use().credits.setRefillSettings(tenantId, settings); }
  async claimRefill(tenantId: string, refillId: string, ttlMs: number) { return this.#use().credits.claimRefill(tenantId, refillId, ttlMs); }
  async finishRefill(tenantId: string, refillId: string, outcome: RefillOutcome) { return this.#use().credits.finishRefill(tenantId, refillId, outcome); }

  async rateLimit(key: string, spec: RateSpec, now: number) { return this.#use().limits.rateLimit(key, spec, now); }
  async acquireLease(key: string, holderId: string, max: number, ttlMs: number) { return this.#use().limits.acquireLease(key, holderId, max, ttlMs); }
  async releaseLease(key: string, holderId: string) { return this.#use().limits.releaseLease(key, holderId); }
  async incrementDaily(key: string, day: string, by: number, max: number) { return this.#use().limits.incrementDaily(key, day, by, max); }

  async addAdminToken(record: AdminTokenRecord) { return this.#use().adminTokens.add(record); }
  async getAdminToken(id: string) { return this.#use().adminTokens.get(id); }
  async listAdminTokens() { return this.#use().adminTokens.list(); }
  async revokeAdminToken(id: string) { return this.#use().adminTokens.revoke(id, Date.now()); }

  // Feedback loop (feedback-types.ts): suppression, soft-bounce tally, cursors, complaint cases, webhooks.
  async addSuppression(...args: Parameters<FeedbackState['addSuppression']>) { return this.#use().feedback.addSuppression(...args); }
  async findSuppression(...args: Parameters<FeedbackState['findSuppression']>) { return this.#use().feedback.findSuppression(...args); }
  async removeSuppression(...args: Parameters<FeedbackState['removeSuppression']>) { return this.#use().feedback.removeSuppression(...args); }
  async listSuppressions(...args: Parameters<FeedbackState['listSuppressions']>) { return this.#use().feedback.listSuppressions(...args); }
  async noteSoftBounce(...args: Parameters<FeedbackState['noteSoftBounce']>) { return this.#use().feedback.noteSoftBounce(...args); }
  async getCursor(...args: Parameters<FeedbackState['getCursor']>) { return this.#use().feedback.getCursor(...args); }
  async advanceCursor(...args: Parameters<FeedbackState['advanceCursor']>) { return this.#use().feedback.advanceCursor(...args); }
  async openComplaintCase(...args: Parameters<FeedbackState['openComplaintCase']>) { return this.#use().feedback.openComplaintCase(...args); }
  async getComplaintCase(...args: Parameters<FeedbackState['getComplaintCase']>) { return this.#use().feedback.getComplaintCase(...args); }
  async listComplaintCases(...args: Parameters<FeedbackState['listComplaintCases']>) { return this.#use().feedback.listComplaintCases(...args); }
  async transitionComplaintCase(...args: Parameters<FeedbackState['transitionComplaintCase']>) { return this.#use().feedback.transitionComplaintCase(...args); }
  async setWebhookEndpoint(...args: Parameters<FeedbackState['setWebhookEndpoint']>) { return this.#use().feedback.setWebhookEndpoint(...args); }
  async getWebhookEndpoint(...args: Parameters<FeedbackState['getWebhookEndpoint']>) { return this.#use().feedback.getWebhookEndpoint(...args); }
  async listWebhookEndpoints(...args: Parameters<FeedbackState['listWebhookEndpoints']>) { return this.#use().feedback.listWebhookEndpoints(...args); }
  async enqueueWebhookEvents(...args: Parameters<FeedbackState['enqueueWebhookEvents']>) { return this.#use().feedback.enqueueWebhookEvents(...args); }
  async peekWebhookEvents(...args: Parameters<FeedbackState['peekWebhookEvents']>) { return this.#use().feedback.peekWebhookEvents(...args); }
  async removeWebhookEvents(...args: Parameters<FeedbackState['removeWebhookEvents']>) { return this.#use().feedback.removeWebhookEvents(...args); }

  async getIp(address: string) { return this.#use().ips.get(address); }
  async listIps() { return this.#use().ips.list(); }
  async saveIp(record: IpRecord, expectedRevision: number | undefined, history: IpHistoryEntry) { return this.#use().ips.save(record, expectedRevision, history); }
  async ipHistory(address: string, limit: number) { return this.#use().ips.history(address, limit); }
  async getPool(name: string) { return this.#use().ips.getPool(name); }
  async listPools() { return this.#use().ips.listPools(); }
  async putPool(pool: PoolRecord) { return this.#use().ips.putPool(pool); }
  async deletePool(name: string) { return this.#use().ips.deletePool(name); }
}
