/**
 * EmbeddedStateStore: the StateStore on the node's LMDB environment (sub-databases `state.*`).
 * Composes TenantRecords, DomainRecords, OutcomeStream, CreditRecords and LimitRecords; every multi-step change is one LMDB
 * write transaction (async, batched and fsync'd by lmdb-js). Reads go straight to LMDB with no
 * cache, so writes from another process on the same env (the CLI while the relay runs) are seen.
 * The store does not own the environment: close() leaves it open for its opener to close.
 */
import type { ApiKeyRecord, OutcomeRecord, SendingDomain, Tenant, TenantStatus } from '../../domain/index.ts';
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import type { LocalDatabase } from '../../platform/index.ts';
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
import { openStateDatabases } from './databases.ts';
import { TenantRecords } from './tenants.ts';
import { DomainRecords } from './domains.ts';
import { OutcomeStream } from './outcomes.ts';
import { CreditRecords } from './credits.ts';
import { LimitRecords } from './limits.ts';
import { AdminTokenRecords } from './admin-tokens.ts';
import { FeedbackRecords } from './feedback.ts';
import type { ComplaintCase, ComplaintCaseQuery, ComplaintCaseStatus, SuppressionEntry, SuppressionWrite, WebhookEndpoint, WebhookEvent } from '../feedback-types.ts';
import type { AdminTokenRecord } from '../../domain/index.ts';

export class EmbeddedStateStore implements StateStore {
  readonly backend = 'embedded' as const;
  readonly #tenants: TenantRecords;
  readonly #domains: DomainRecords;
  readonly #outcomes: OutcomeStream;
  readonly #credits: CreditRecords;
  readonly #limits: LimitRecords;
  readonly #adminTokens: AdminTokenRecords;
  readonly #feedback: FeedbackRecords;
  #closed = false;

  /** Throws MTA_ERR_SECRET_KEY when stored DKIM keys were sealed with another master key. */
  constructor(db: LocalDatabase, secrets: SecretBox) {
    const dbs = openStateDatabases(db);
    this.#tenants = new TenantRecords(dbs);
    this.#domains = new DomainRecords(dbs, secrets);
    this.#outcomes = new OutcomeStream(dbs);
    this.#credits = new CreditRecords(dbs);
    this.#limits = new LimitRecords(dbs);
    this.#adminTokens = new AdminTokenRecords(db);
    this.#feedback = new FeedbackRecords(db, secrets);
    this.#domains.checkMasterKey();
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
    this.#closed = true;
  }
}
