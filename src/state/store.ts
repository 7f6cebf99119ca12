/**
 * StateStore: the one interface to shared state (architecture §2). Two implementations sit
 * behind it: `embedded` (LMDB in dataDir, the default) and, from the state/credits issue on,
 * `redis`. Every method is async so that both fit; every multi-step change is atomic inside
 * the implementation (one LMDB transaction / one Lua script). Secrets: only API key hashes are
 * stored; DKIM private keys are encrypted at rest and returned decrypted.
 * One contract test suite (state/contract.ts) runs against every implementation.
 * Credits, refill, rate, lease and quota types live in credit-types.ts and are re-exported here.
 */
import type { AdminTokenRecord, ApiKeyRecord, IpFallback, IpHistoryEntry, IpRecord, PoolRecord, DkimKey, OutcomeRecord, OutcomeType, RotatedDkimKey, SendingDomain, Tenant, TenantContentPolicy, TenantLimitOverrides, TenantStatus } from '../domain/index.ts';
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
} from './credit-types.ts';

export type * from './credit-types.ts';
import type { TenantVolumes } from './volumes.ts';
export type { TenantVolumes } from './volumes.ts';
export type * from './feedback-types.ts';
import type { FeedbackState } from './feedback-types.ts';

export interface NewTenant {
  readonly name: string;
  readonly pool?: string;
  readonly contactEmail?: string;
  readonly ipFallback?: IpFallback;
  readonly relayNetworks?: readonly string[];
}

export interface TenantPatch {
  readonly pool?: string;
  readonly contactEmail?: string;
  readonly ipFallback?: IpFallback;
  readonly relayNetworks?: readonly string[];
  /** Replaces the tenant's own limits; `null` removes them (config applies again). */
  readonly limits?: TenantLimitOverrides | null;
  /** Replaces the tenant's own content policy; `null` removes it (config applies again). */
  readonly contentPolicy?: TenantContentPolicy | null;
}

/** A domain's DKIM keys after a rotation or a retirement (see replaceDomainKeys). */
export interface DomainKeySet {
  readonly dkimKeys: readonly DkimKey[];
  readonly rotatedDkimKeys: readonly RotatedDkimKey[];
}

export interface OutcomeQuery {
  readonly messageId?: string;
  readonly tenantId?: string;
  readonly types?: readonly OutcomeType[];
  /** Only records with seq greater than this. */
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** Feedback-loop state (suppression, cursors, complaint cases, webhooks): feedback-types.ts. */
export interface StateStore extends FeedbackState {
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
  /** The owning tenant's id, without opening any key (the hot-path sender check). */
  getDomainOwner(domain: string): Promise<string | undefined>;
  listDomains(tenantId: string): Promise<SendingDomain[]>;
  /**
   * DKIM rotation/retirement, atomic compare-and-set: while the domain's signing selectors are
   * exactly `expectedSelectors` (in order), its keys become `next`; else MTA_ERR_STATE_CONFLICT
   * (a concurrent rotation won). Unknown domain → MTA_ERR_NOT_FOUND. Returns the domain.
   */
  replaceDomainKeys(domain: string, expectedSelectors: readonly string[], next: DomainKeySet): Promise<SendingDomain>;

  /**
   * The outcome stream: append-only, each record gets a store-wide increasing `seq`. The same
   * append adds the records to their tenant's hourly volume counters (volumes.ts).
   */
  appendOutcomes(records: readonly OutcomeRecord[]): Promise<void>;
  readOutcomes(query: OutcomeQuery): Promise<OutcomeRecord[]>;
  /**
   * The tenant's counted volumes in the hourly buckets from the one holding `since` up to now
   * (at most VOLUME_RETENTION_MS back): what tenant reputation judges, without reading the stream.
   */
  tenantVolumes(tenantId: string, since: number): Promise<TenantVolumes>;

  /**
   * Credits. The balance always equals the sum of the tenant's ledger. Credit calls do not
   * check that the tenant exists (the admin layer does): an unknown tenant has balance 0.
   */
  getCredits(tenantId: string): Promise<CreditBalance>;
  /** Idempotent by (kind, ref): a repeated ref returns the earlier entry with applied=false. */
  addCredits(tenantId: string, amount: number, kind: 'top-up' | 'refill' | 'adjustment', ref: string): Promise<CreditWrite>;
  /**
   * ok only when balance − active reservations ≥ amount. Idempotent per reservationId (a repeat
   * refreshes the expiry; one already committed answers ok without reserving again).
   */
  reserveCredits(tenantId: string, reservationId: string, amount: number, ttlMs: number): Promise<ReserveResult>;
  /**
   * Charges the reservation: balance −= amount, a `charge` entry with ref = reservationId, the
   * reservation deleted, all at once. A second commit charges nothing (applied=false, the first
   * entry). No reservation and no earlier charge → {applied: false, entry: undefined}, unless
   * options.amount is given (recovery of a message accepted before a crash).
   */
  commitReservation(tenantId: string, reservationId: string, options?: CommitOptions): Promise<CreditWrite>;
  /** True when an active reservation was released. */
  releaseReservation(tenantId: string, reservationId: string): Promise<boolean>;
  /** Newest first. */
  readLedger(tenantId: string, query: LedgerQuery): Promise<CreditLedgerEntry[]>;

  /** Auto-refill settings per tenant (undefined when never set). */
  getRefillSettings(tenantId: string): Promise<RefillSettings | undefined>;
  setRefillSettings(tenantId: string, settings: RefillSettings): Promise<void>;
  /**
   * Atomic: enabled, not paused, available (balance − reserved) below threshold, and no other
   * refill in flight → this refillId is in flight for ttlMs; true. Repeating the in-flight id → true.
   */
  claimRefill(tenantId: string, refillId: string, ttlMs: number): Promise<boolean>;
  /**
   * purchased → credits added (kind `refill`, ref = refillId, idempotent) even when the claim
   * expired, since the money was taken; refused → auto-refill paused with the reason; failed →
   * nothing. The in-flight mark is cleared when it is still this refillId. Returns the refill entry.
   */
  finishRefill(tenantId: string, refillId: string, outcome: RefillOutcome): Promise<CreditLedgerEntry | undefined>;

  /** GCRA with the spec in the key; `now` in ms (an injectable clock). */
  rateLimit(key: string, spec: RateSpec, now: number): Promise<RateDecision>;
  /** At most `max` live holders per key; a holder expires ttlMs after its last acquire. Re-acquire refreshes. */
  acquireLease(key: string, holderId: string, max: number, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, holderId: string): Promise<void>;
  /** Adds `by` to the day's count unless that would pass `max`. `day` is e.g. 2025-01-31. */
  incrementDaily(key: string, day: string, by: number, max: number): Promise<DailyCount>;

  /** Admin API tokens (hash only). add refuses an existing id; revoke keeps the first revokedAt. */
  addAdminToken(record: AdminTokenRecord): Promise<AdminTokenRecord>;
  getAdminToken(id: string): Promise<AdminTokenRecord | undefined>;
  listAdminTokens(): Promise<AdminTokenRecord[]>;
  revokeAdminToken(id: string): Promise<AdminTokenRecord | undefined>;

  /**
   * Sending-IP inventory (src/egress). saveIp is a compare-and-set: it stores `record` with
   * revision = expectedRevision + 1 and appends `history` in one atomic step, only while the stored
   * revision is `expectedRevision` (`undefined`: only when the IP is not stored yet); otherwise
   * MTA_ERR_STATE_CONFLICT and nothing changes. Returns the stored record (with its new revision).
   */
  getIp(address: string): Promise<IpRecord | undefined>;
  listIps(): Promise<IpRecord[]>;
  saveIp(record: IpRecord, expectedRevision: number | undefined, history: IpHistoryEntry): Promise<IpRecord>;
  /** Newest first, at most `limit`. */
  ipHistory(address: string, limit: number): Promise<IpHistoryEntry[]>;
  /** IP pools by name (put replaces the pool). */
  getPool(name: string): Promise<PoolRecord | undefined>;
  listPools(): Promise<PoolRecord[]>;
  putPool(pool: PoolRecord): Promise<PoolRecord>;
  /** True when a pool was deleted. */
  deletePool(name: string): Promise<boolean>;

  close(): Promise<void>;
}
