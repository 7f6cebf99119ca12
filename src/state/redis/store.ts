/**
 * RedisStateStore: the StateStore on Redis (ioredis), for several nodes sharing one state.
 * Composes RedisTenants, RedisDomains, RedisOutcomes, RedisCredits and RedisLimits over one
 * RedisConnection and the key layout of keys.ts; every multi-step change is one Lua script.
 * open() connects (or fails with MTA_ERR_STATE_UNAVAILABLE) and refuses a master key other
 * than the one that sealed the stored DKIM keys. While Redis is away every call fails fast with
 * MTA_ERR_STATE_UNAVAILABLE; the connection comes back by itself. close() ends the connection.
 */
import type { ApiKeyRecord, OutcomeRecord, SendingDomain, Tenant, TenantStatus } from '../../domain/index.ts';
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import type { NewTenant, OutcomeQuery, StateStore, TenantPatch } from '../store.ts';
import type {
  CommitOptions,
  CreditBalance,
  CreditLedgerEntry,
  CreditWrite,
  DailyCount,
  LedgerQuery,
  RateDecision,
  RateSpec,
  RefillOutcome,
  RefillSettings,
  ReserveResult,
} from '../credit-types.ts';
import type { SecretBox } from '../secrets.ts';
import { RedisConnection, type ConnectionLog, type RedisStateSettings } from './connection.ts';
import { RedisKeys } from './keys.ts';
import { RedisTenants } from './tenants.ts';
import { RedisDomains } from './domains.ts';
import { RedisOutcomes } from './outcomes.ts';
import { RedisCredits } from './credits.ts';
import { RedisLimits } from './limits.ts';
import { RedisAdminTokens } from './admin-tokens.ts';
import { RedisFeedback } from './feedback.ts';
import type { ComplaintCase, ComplaintCaseQuery, ComplaintCaseStatus, SuppressionEntry, SuppressionWrite, WebhookEndpoint, WebhookEvent } from '../feedback-types.ts';
import type { AdminTokenRecord } from '../../domain/index.ts';

export type { RedisStateSettings } from './connection.ts';

export class RedisStateStore implements StateStore {
  readonly backend = 'redis' as const;
  readonly #connection: RedisConnection;
  readonly #tenants: RedisTenants;
  readonly #domains: RedisDomains;
  readonly #outcomes: RedisOutcomes;
  readonly #credits: RedisCredits;
  readonly #limits: RedisLimits;
  readonly #adminTokens: RedisAdminTokens;
  readonly #feedback: RedisFeedback;
  #closed = false;

  private constructor(connection: RedisConnection, keys: RedisKeys, secrets: SecretBox) {
    this.#connection = connection;
    this.#tenants = new RedisTenants(connection, keys);
    this.#domains = new RedisDomains(connection, keys, secrets);
    this.#outcomes = new RedisOutcomes(connection, keys);
    this.#credits = new RedisCredits(connection, keys);
    this.#limits = new RedisLimits(connection, keys);
    this.#adminTokens = new RedisAdminTokens(connection, keys);
    this.#feedback = new RedisFeedback(connection, keys, secrets);
  }

  static async open(settings: RedisStateSettings, secrets: SecretBox, log?: ConnectionLog): Promise<RedisStateStore> {
    const connection = await RedisConnection.open(settings, log);
    const store = new RedisStateStore(connection, new RedisKeys(settings.keyPrefix), secrets);
    try {
      await store.#domains.checkMasterKey();
    } catch (error) {
      await connection.close();
      throw error;
    }
    return store;
  }

  /** The ioredis client, for tests and diagnostics (round-trip counting, INFO). */
  get client(): RedisConnection['client'] {
    return this.#connection.client;
  }

  #open(): void {
    if (this.#closed) throw new FerryError(ErrorCodes.STATE_UNAVAILABLE, 'the state store is closed');
  }

  async createTenant(input: NewTenant): Promise<Tenant> {
    this.#open();
    return this.#tenants.create(input);
  }

  async getTenant(idOrName: string): Promise<Tenant | undefined> {
    this.#open();
    return this.#tenants.get(idOrName);
  }

  async listTenants(): Promise<Tenant[]> {
    this.#open();
    return this.#tenants.list();
  }

  async updateTenant(tenantId: string, patch: TenantPatch): Promise<Tenant> {
    this.#open();
    return this.#tenants.update(tenantId, patch);
  }

  async setTenantStatus(tenantId: string, status: TenantStatus, reason?: string): Promise<Tenant> {
    this.#open();
    return this.#tenants.setStatus(tenantId, status, reason);
  }

  async addApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord> {
    this.#open();
    return this.#tenants.addApiKey(tenantId, keyHash);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    this.#open();
    return this.#tenants.findApiKeyByHash(keyHash);
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    this.#open();
    return this.#tenants.listApiKeys(tenantId);
  }

  async revokeApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    this.#open();
    return this.#tenants.revokeApiKey(keyId);
  }

  async addDomain(domain: SendingDomain): Promise<SendingDomain> {
    this.#open();
    return this.#domains.add(domain);
  }

  async getDomain(domain: string): Promise<SendingDomain | undefined> {
    this.#open();
    return this.#domains.get(domain);
  }

  async getDomainOwner(domain: string): Promise<string | undefined> {
    this.#open();
    return this.#domains.owner(domain);
  }

  async listDomains(tenantId: string): Promise<SendingDomain[]> {
    this.#open();
    return this.#domains.list(tenantId);
  }

  async appendOutcomes(records: readonly OutcomeRecord[]): Promise<void> {
    this.#open();
    return this.#outcomes.append(records);
  }

  async readOutcomes(query: OutcomeQuery): Promise<OutcomeRecord[]> {
    this.#open();
    return this.#outcomes.read(query);
  }

  async getCredits(tenantId: string): Promise<CreditBalance> {
    this.#open();
    return this.#credits.get(tenantId);
  }

  async addCredits(tenantId: string, amount: number, kind: 'top-up' | 'refill' | 'adjustment', ref: string): Promise<CreditWrite> {
    this.#open();
    return this.#credits.add(tenantId, amount, kind, ref);
  }

  async reserveCredits(tenantId: string, reservationId: string, amount: number, ttlMs: number): Promise<ReserveResult> {
    this.#open();
    return this.#credits.reserve(tenantId, reservationId, amount, ttlMs);
  }

  async commitReservation(tenantId: string, reservationId: string, options?: CommitOptions): Promise<CreditWrite> {
    this.#open();
    return this.#credits.commit(tenantId, reservationId, options);
  }

  async releaseReservation(tenantId: string, reservationId: string): Promise<boolean> {
    this.#open();
    return this.#credits.release(tenantId, reservationId);
  }

  async readLedger(tenantId: string, query: LedgerQuery): Promise<CreditLedgerEntry[]> {
    this.#open();
    return this.#credits.readLedger(tenantId, query);
  }

  async getRefillSettings(tenantId: string): Promise<RefillSettings | undefined> {
    this.#open();
    return this.#credits.getRefillSettings(tenantId);
  }

  async setRefillSettings(tenantId: string, settings: RefillSettings): Promise<void> {
    this.#open();
    return this.#credits.setRefillSettings(tenantId, settings);
  }

  async claimRefill(tenantId: string, refillId: string, ttlMs: number): Promise<boolean> {
    this.#open();
    return this.#credits.claimRefill(tenantId, refillId, ttlMs);
  }

  async finishRefill(tenantId: string, refillId: string, outcome: RefillOutcome): Promise<CreditLedgerEntry | undefined> {
    this.#open();
    return this.#credits.finishRefill(tenantId, refillId, outcome);
  }

  async rateLimit(key: string, spec: RateSpec, now: number): Promise<RateDecision> {
    this.#open();
    return this.#limits.rateLimit(key, spec, now);
  }

  async acquireLease(key: string, holderId: string, max: number, ttlMs: number): Promise<boolean> {
    this.#open();
    return this.#limits.acquireLease(key, holderId, max, ttlMs);
  }

  async releaseLease(key: string, holderId: string): Promise<void> {
    this.#open();
    return this.#limits.releaseLease(key, holderId);
  }

  async incrementDaily(key: string, day: string, by: number, max: number): Promise<DailyCount> {
    this.#open();
    return this.#limits.incrementDaily(key, day, by, max);
  }

  async addAdminToken(record: AdminTokenRecord): Promise<AdminTokenRecord> {
    this.#open();
    return this.#adminTokens.add(record);
  }

  async getAdminToken(id: string): Promise<AdminTokenRecord | undefined> {
    this.#open();
    return this.#adminTokens.get(id);
  }

  async listAdminTokens(): Promise<AdminTokenRecord[]> {
    this.#open();
    return this.#adminTokens.list();
  }

  async revokeAdminToken(id: string): Promise<AdminTokenRecord | undefined> {
    this.#open();
    return this.#adminTokens.revoke(id, Date.now());
  }

  // Feedback loop (feedback-types.ts): suppression, soft-bounce tally, cursors, complaint cases, webhooks.
  async addSuppression(entry: SuppressionEntry, now: number): Promise<SuppressionWrite> { this.#open(); return this.#feedback.addSuppression(entry, now); }
  async findSuppression(tenantId: string, address: string, now: number): Promise<SuppressionEntry | undefined> { this.#open(); return this.#feedback.findSuppression(tenantId, address, now); }
  async removeSuppression(scope: string, address: string, note: string): Promise<SuppressionEntry | undefined> { this.#open(); return this.#feedback.removeSuppression(scope, address, note); }
  async listSuppressions(scope: string, limit?: number): Promise<SuppressionEntry[]> { this.#open(); return this.#feedback.listSuppressions(scope, limit); }
  async noteSoftBounce(scope: string, address: string, day: number, windowDays: number): Promise<number> { this.#open(); return this.#feedback.noteSoftBounce(scope, address, day, windowDays); }
  async getCursor(name: string): Promise<number> { this.#open(); return this.#feedback.getCursor(name); }
  async advanceCursor(name: string, seq: number): Promise<void> { this.#open(); return this.#feedback.advanceCursor(name, seq); }
  async openComplaintCase(c: ComplaintCase): Promise<{ applied: boolean; complaintCase: ComplaintCase }> { this.#open(); return this.#feedback.openComplaintCase(c); }
  async getComplaintCase(id: string): Promise<ComplaintCase | undefined> { this.#open(); return this.#feedback.getComplaintCase(id); }
  async listComplaintCases(query: ComplaintCaseQuery): Promise<ComplaintCase[]> { this.#open(); return this.#feedback.listComplaintCases(query); }
  async transitionComplaintCase(id: string, from: readonly ComplaintCaseStatus[], patch: Partial<ComplaintCase>): Promise<ComplaintCase | undefined> { this.#open(); return this.#feedback.transitionComplaintCase(id, from, patch); }
  async setWebhookEndpoint(tenantId: string, endpoint: WebhookEndpoint | undefined): Promise<void> { this.#open(); return this.#feedback.setWebhookEndpoint(tenantId, endpoint); }
  async getWebhookEndpoint(tenantId: string): Promise<WebhookEndpoint | undefined> { this.#open(); return this.#feedback.getWebhookEndpoint(tenantId); }
  async listWebhookEndpoints(): Promise<WebhookEndpoint[]> { this.#open(); return this.#feedback.listWebhookEndpoints(); }
  async enqueueWebhookEvents(events: readonly WebhookEvent[]): Promise<void> { this.#open(); return this.#feedback.enqueueWebhookEvents(events); }
  async peekWebhookEvents(tenantId: string, limit: number): Promise<WebhookEvent[]> { this.#open(); return this.#feedback.peekWebhookEvents(tenantId, limit); }
  async removeWebhookEvents(tenantId: string, seqs: readonly number[]): Promise<void> { this.#open(); return this.#feedback.removeWebhookEvents(tenantId, seqs); }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.close();
  }
}
