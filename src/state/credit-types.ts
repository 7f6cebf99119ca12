/**
 * Types and input checks of the credit meter and the limit primitives, shared by every
 * StateStore backend: ledger entries, reservations, auto-refill settings, GCRA rate decisions,
 * concurrency leases and daily quotas. Exports the types plus checkAmount / checkRateSpec /
 * checkRefillSettings, which throw MTA_ERR_INVALID_INPUT before any backend is touched.
 * Amounts are whole credits (integers): the ledger's sum must equal the balance exactly.
 */
import { ErrorCodes, FerryError } from '../domain/index.ts';

/** What moved credits. `charge` entries are negative and their ref is the reservation id. */
export type LedgerKind = 'top-up' | 'refill' | 'adjustment' | 'charge';

export interface CreditLedgerEntry {
  /** Per-tenant increasing sequence (1, 2, ...). */
  readonly seq: number;
  readonly tenantId: string;
  readonly kind: LedgerKind;
  /** Signed: positive adds credits, negative (charges, some adjustments) removes them. */
  readonly amount: number;
  /** Idempotency reference: a payment id, a refill id, a reservation (message) id. */
  readonly ref: string;
  readonly at: number;
  /** The balance right after this entry. */
  readonly balance: number;
}

export interface CreditBalance {
  readonly balance: number;
  /** Sum of active (unexpired) reservations. */
  readonly reserved: number;
}

/** A ledger write: `applied` is false when the ref was already written (entry = the earlier one). */
export interface CreditWrite {
  readonly applied: boolean;
  readonly entry: CreditLedgerEntry | undefined;
}

export interface ReserveResult {
  readonly ok: boolean;
  /** balance − active reservations, after this reservation when ok. */
  readonly available: number;
}

export interface CommitOptions {
  /** Recovery path: charge this amount when the reservation is gone (expired) and nothing was charged yet. */
  readonly amount?: number;
}

export interface LedgerQuery {
  readonly limit: number;
  /** Only entries with seq below this (paging backwards). */
  readonly before?: number;
}

export interface RefillSettings {
  readonly enabled: boolean;
  /** A refill is due when available credits (balance − reserved) drop below this. */
  readonly threshold: number;
  /** Credits bought per refill. */
  readonly amount: number;
  /** Set when the billing endpoint refused a purchase; no refill is claimed while paused. */
  readonly paused?: boolean;
  readonly pausedReason?: string;
}

export type RefillOutcome =
  | { readonly result: 'purchased'; readonly amount: number }
  | { readonly result: 'refused'; readonly reason: string }
  | { readonly result: 'failed'; readonly reason: string };

export interface RateSpec {
  readonly ratePerSecond: number;
  /** How many may pass at once after a quiet period (≥ 1). */
  readonly burst: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** 0 when allowed; else how long until one more would pass. */
  readonly retryAfterMs: number;
}

export interface DailyCount {
  readonly allowed: boolean;
  /** The day's count after this call (unchanged when refused). */
  readonly count: number;
}

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.INVALID_INPUT, message);
}

/** Whole credits; `signed` allows negative (adjustments), never zero. */
export function checkAmount(amount: number, what: string, signed = false): void {
  if (!Number.isSafeInteger(amount) || amount === 0 || (!signed && amount < 0)) {
    throw invalid(`${what} must be a ${signed ? 'non-zero' : 'positive'} whole number of credits (got ${amount})`);
  }
}

export function checkPositiveInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw invalid(`${what} must be a positive whole number (got ${value})`);
}

export function checkRateSpec(spec: RateSpec): void {
  if (!(spec.ratePerSecond > 0) || !Number.isFinite(spec.ratePerSecond)) throw invalid(`ratePerSecond must be > 0 (got ${spec.ratePerSecond})`);
  checkPositiveInteger(spec.burst, 'burst');
}

export function checkRefillSettings(settings: RefillSettings): void {
  if (!Number.isSafeInteger(settings.threshold) || settings.threshold < 0) {
    throw invalid(`refill threshold must be a whole number ≥ 0 (got ${settings.threshold})`);
  }
  checkAmount(settings.amount, 'refill amount');
}

/** The ledger's idempotency key: a ref is unique per kind (a top-up and a charge may share an id). */
export function ledgerRefKey(kind: LedgerKind, ref: string): string {
  return `${kind}:${ref}`;
}
