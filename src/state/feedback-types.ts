/**
 * Types of the feedback loop's shared state, for every StateStore backend: suppression entries
 * (tenant and global scope), the soft-bounce tally, outcome-consumer cursors, complaint cases,
 * webhook endpoints and the webhook outbox. Exports the types, FeedbackState (the part of the
 * StateStore they live behind), GLOBAL_SCOPE and normalizeAddress.
 * Invariants: addresses are stored lower-cased; an active suppression is only replaced by a
 * longer-lasting one; removing one needs a note (unsubscribes never lift themselves by sending).
 */

/** The scope of the global suppression list; any other scope is a tenant id. */
export const GLOBAL_SCOPE = '*';

export type SuppressionReason = 'hard-bounce' | 'complaint' | 'unsubscribe' | 'manual';

export interface SuppressionEntry {
  /** A tenant id, or GLOBAL_SCOPE. */
  readonly scope: string;
  /** Lower-cased address. */
  readonly address: string;
  readonly reason: SuppressionReason;
  /** What caused it: `outcome:<seq>`, `admin:<actor>`, `unsubscribe:<messageId>`. */
  readonly source: string;
  readonly createdAt: number;
  /** Absent: permanent. */
  readonly expiresAt?: number;
  readonly note?: string;
}

export interface SuppressionWrite {
  /** false: an active entry that lasts at least as long was kept (returned as `entry`). */
  readonly applied: boolean;
  readonly entry: SuppressionEntry;
}

export type ComplaintCaseStatus = 'open' | 'consent-submitted' | 'accepted' | 'rejected' | 'expired';

export interface ConsentProof {
  /** When and where the recipient consented, and the relationship (customer, newsletter sign-up …). */
  readonly consentedAt: number;
  readonly source: string;
  readonly relationship: string;
  readonly submittedAt: number;
}

export interface ComplaintCase {
  /** Deterministic from the complaint record (`cc_<seq>`), so a repeated consumer run opens it once. */
  readonly id: string;
  readonly tenantId: string;
  readonly recipient: string;
  readonly messageId?: string;
  readonly openedAt: number;
  /** Proof of consent is due by then (openedAt + 48 h by default). */
  readonly dueAt: number;
  readonly status: ComplaintCaseStatus;
  readonly consent?: ConsentProof;
  readonly closedAt?: number;
  readonly decisionNote?: string;
}

export interface ComplaintCaseQuery {
  readonly tenantId?: string;
  readonly status?: ComplaintCaseStatus;
}

export interface WebhookEndpoint {
  readonly tenantId: string;
  readonly url: string;
  /** HMAC-SHA256 key; sealed at rest with the master key, returned in clear. */
  readonly secret: string;
  /** 1 = one event per request; more = a JSON array of up to this many events. */
  readonly batchSize: number;
  readonly createdAt: number;
}

export type WebhookEventType = 'delivered' | 'deferred' | 'bounced' | 'complained' | 'unsubscribed' | 'suppressed' | 'rejected';

export interface WebhookEvent {
  /** Unique and stable: `evt_<outcome seq>` (a repeat of the same event has the same id). */
  readonly id: string;
  readonly tenantId: string;
  /** The outcome record's seq: the outbox order (and so the order per message). */
  readonly seq: number;
  readonly type: WebhookEventType;
  readonly createdAt: number;
  readonly messageId?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The part of the StateStore the feedback loop uses (every backend implements it). */
export interface FeedbackState {
  /** Adds or keeps (see SuppressionWrite); `now` decides whether the existing entry is still active. */
  addSuppression(entry: SuppressionEntry, now: number): Promise<SuppressionWrite>;
  /** The active entry for this tenant, else the active global one. */
  findSuppression(tenantId: string, address: string, now: number): Promise<SuppressionEntry | undefined>;
  /** Removes with a note (required, MTA_ERR_INVALID_INPUT otherwise); returns the removed entry. */
  removeSuppression(scope: string, address: string, note: string): Promise<SuppressionEntry | undefined>;
  listSuppressions(scope: string, limit?: number): Promise<SuppressionEntry[]>;
  /** Records a soft failure on `day` (UTC day number); returns the distinct days within the last `windowDays`. */
  noteSoftBounce(scope: string, address: string, day: number, windowDays: number): Promise<number>;

  /** Durable position of an outcome consumer (0 when never set); advance never moves it back. */
  getCursor(name: string): Promise<number>;
  advanceCursor(name: string, seq: number): Promise<void>;

  /** Idempotent by id: applied=false returns the existing case. */
  openComplaintCase(complaintCase: ComplaintCase): Promise<{ applied: boolean; complaintCase: ComplaintCase }>;
  getComplaintCase(id: string): Promise<ComplaintCase | undefined>;
  listComplaintCases(query: ComplaintCaseQuery): Promise<ComplaintCase[]>;
  /** Atomic compare-and-set: applies the patch only while the status is one of `from`; else undefined. */
  transitionComplaintCase(id: string, from: readonly ComplaintCaseStatus[], patch: Partial<ComplaintCase>): Promise<ComplaintCase | undefined>;

  /** undefined removes the endpoint. */
  setWebhookEndpoint(tenantId: string, endpoint: WebhookEndpoint | undefined): Promise<void>;
  getWebhookEndpoint(tenantId: string): Promise<WebhookEndpoint | undefined>;
  listWebhookEndpoints(): Promise<WebhookEndpoint[]>;
  /** Idempotent by (tenantId, seq). */
  enqueueWebhookEvents(events: readonly WebhookEvent[]): Promise<void>;
  /** The oldest `limit` events of the tenant's outbox, in seq order. */
  peekWebhookEvents(tenantId: string, limit: number): Promise<WebhookEvent[]>;
  removeWebhookEvents(tenantId: string, seqs: readonly number[]): Promise<void>;
}

export function normalizeAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').toLowerCase();
}

/** An entry replaces an active one only when it lasts longer (permanent beats expiring). */
export function outlasts(candidate: SuppressionEntry, existing: SuppressionEntry, now: number): boolean {
  const active = existing.expiresAt === undefined || existing.expiresAt > now;
  if (!active) return true;
  if (existing.expiresAt === undefined) return false;
  return candidate.expiresAt === undefined || candidate.expiresAt > existing.expiresAt;
}
