/**
 * The embedded state store's LMDB sub-databases (`state.*`) inside the node's local database.
 * Exports openStateDatabases. Primary records are keyed by id; secondary indexes map a lookup
 * key (name, key hash, [tenantId, ...], [messageId, seq]) to the primary key and are written in
 * the same transaction as the record, so an index never points at a missing record.
 * No `cache` option: reads must see writes made by other processes (the CLI while the relay runs).
 */
import type { Database } from 'lmdb';
import type { LocalDatabase } from '../../platform/index.ts';
import type { ApiKeyRecord, OutcomeRecord, Tenant } from '../../domain/index.ts';
import type { StoredDomain } from '../sealed-domains.ts';
import type { CreditLedgerEntry, RefillSettings } from '../credit-types.ts';

/** A tenant's credit account: the balance and the last ledger seq. */
export interface CreditAccount {
  readonly balance: number;
  readonly lastSeq: number;
}

export interface StoredReservation {
  readonly amount: number;
  readonly expiresAt: number;
}

export interface StoredRefill {
  readonly settings?: RefillSettings;
  readonly inFlight?: { readonly refillId: string; readonly expiresAt: number };
}

/** A sending domain as stored: DKIM private keys sealed with the master key. */
export interface StateDatabases {
  readonly root: LocalDatabase;
  readonly tenants: Database<Tenant, string>;
  /** tenant name → tenant id (unique names). */
  readonly tenantNames: Database<string, string>;
  readonly apiKeys: Database<ApiKeyRecord, string>;
  /** key hash → key id. */
  readonly apiKeyHashes: Database<string, string>;
  /** [tenantId, keyId] → true. */
  readonly apiKeysByTenant: Database<true, [string, string]>;
  readonly domains: Database<StoredDomain, string>;
  /** [tenantId, domain] → true. */
  readonly domainsByTenant: Database<true, [string, string]>;
  /** seq → record (with seq). */
  readonly outcomes: Database<OutcomeRecord, number>;
  /** [messageId, seq] → true. */
  readonly outcomesByMessage: Database<true, [string, number]>;
  /** [tenantId, seq] → true. */
  readonly outcomesByTenant: Database<true, [string, number]>;
  /** [type, seq] → true (readers of some types never decode the others). */
  readonly outcomesByType: Database<true, [string, number]>;
  /** [tenantId, hour bucket] → [received, attempted, hardBounces, complaints] (volumes.ts). */
  readonly outcomeVolumes: Database<[number, number, number, number], [string, number]>;
  /** Counters and markers: `outcomeSeq`, `outcomeLegacyEnd`, `outcomeBackfilledTo`, `masterKeyFingerprint`. */
  readonly meta: Database<number | string, string>;
  readonly creditAccounts: Database<CreditAccount, string>;
  /** [tenantId, seq] → entry. */
  readonly creditLedger: Database<CreditLedgerEntry, [string, number]>;
  /** [tenantId, "kind:ref"] → seq (idempotency of ledger writes). */
  readonly creditRefs: Database<number, [string, string]>;
  /** [tenantId, reservationId] → reservation. */
  readonly creditReservations: Database<StoredReservation, [string, string]>;
  readonly refills: Database<StoredRefill, string>;
  /** rate key (with spec) → GCRA theoretical arrival time. */
  readonly rateTats: Database<number, string>;
  /** lease key → holderId → expiresAt. */
  readonly leases: Database<Record<string, number>, string>;
  /** quota key → the current day's count. */
  readonly dailyCounts: Database<{ readonly day: string; readonly count: number }, string>;
}

export function openStateDatabases(root: LocalDatabase): StateDatabases {
  const open = <V, K extends string | number | [string, string] | [string, number]>(name: string) =>
    root.openDB<V, K>({ name: `state.${name}` });
  return {
    root,
    tenants: open('tenants'),
    tenantNames: open('tenantNames'),
    apiKeys: open('apiKeys'),
    apiKeyHashes: open('apiKeyHashes'),
    apiKeysByTenant: open('apiKeysByTenant'),
    domains: open('domains'),
    domainsByTenant: open('domainsByTenant'),
    outcomes: open('outcomes'),
    outcomesByMessage: open('outcomesByMessage'),
    outcomesByTenant: open('outcomesByTenant'),
    outcomesByType: open('outcomesByType'),
    outcomeVolumes: open('outcomeVolumes'),
    meta: open('meta'),
    creditAccounts: open('creditAccounts'),
    creditLedger: open('creditLedger'),
    creditRefs: open('creditRefs'),
    creditReservations: open('creditReservations'),
    refills: open('refills'),
    rateTats: open('rateTats'),
    leases: open('leases'),
    dailyCounts: open('dailyCounts'),
  };
}

/** Upper bound for the second element of an index key: every [prefix, x] sorts before [prefix, MAX]. */
export const INDEX_END = '\uffff';
