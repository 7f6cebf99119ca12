/**
 * Every Redis key the state store uses is built here, and only here. Exports RedisKeys.
 * Hash tags decide the Cluster slot, so each Lua script touches keys of one slot only:
 *   <prefix>{catalog}:...   tenants, names, API keys, domains, meta (one slot: their scripts
 *                           check uniqueness across tenants, e.g. a key hash or a domain)
 *   <prefix>{ips}:...       the sending-IP inventory: records, revisions, history, pools (one
 *                           slot: a save checks the revision and appends history at once)
 *   <prefix>{outcomes}:...  the outcome stream, its seq, its per-message / per-tenant indexes
 *                           and the per-tenant volume counters
 *   <prefix>{tn_x}:...      one tenant's hot state: credits, ledger, reservations, refill
 *   <prefix>rate|lease|daily:{key}...  one key per limit (the spec is part of the rate key)
 */
import { rateKeySpec } from '../gcra.ts';
import type { RateSpec } from '../credit-types.ts';

/** Braces in caller-given parts would move the hash tag; they are replaced. */
function tagSafe(part: string): string {
  return part.replace(/[{}]/g, '_');
}

export class RedisKeys {
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  #catalog(rest: string): string {
    return `${this.#prefix}{catalog}:${rest}`;
  }

  #outcomes(rest: string): string {
    return `${this.#prefix}{outcomes}:${rest}`;
  }

  #ips(rest: string): string {
    return `${this.#prefix}{ips}:${rest}`;
  }

  #tenant(tenantId: string, rest: string): string {
    return `${this.#prefix}{${tagSafe(tenantId)}}:${rest}`;
  }

  // catalog slot
  tenant(tenantId: string): string { return this.#catalog(`tenant:${tenantId}`); }
  tenantNames(): string { return this.#catalog('tenant-names'); }
  tenantIds(): string { return this.#catalog('tenant-ids'); }
  apiKey(keyId: string): string { return this.#catalog(`apikey:${keyId}`); }
  apiKeyHashes(): string { return this.#catalog('apikey-hashes'); }
  apiKeysOf(tenantId: string): string { return this.#catalog(`apikeys-of:${tenantId}`); }
  domain(domain: string): string { return this.#catalog(`domain:${domain}`); }
  domainsOf(tenantId: string): string { return this.#catalog(`domains-of:${tenantId}`); }
  meta(): string { return this.#catalog('meta'); }
  adminToken(id: string): string { return this.#catalog(`admintoken:${id}`); }
  adminTokenIds(): string { return this.#catalog('admintoken-ids'); }

  // outcomes slot
  outcomeStream(): string { return this.#outcomes('stream'); }
  outcomeSeq(): string { return this.#outcomes('seq'); }
  outcomesByMessage(messageId: string): string { return this.#outcomes(`by-message:${messageId}`); }
  outcomesByTenant(tenantId: string): string { return this.#outcomes(`by-tenant:${tenantId}`); }
  /** HASH of one tenant's volume counters for one UTC day: field "<hour bucket>:<r|a|h|c>". */
  outcomeVolumes(tenantId: string, dayStart: number): string { return this.#outcomes(`volumes:${tenantId}:${dayStart}`); }

  // ips slot
  /** HASH address → IP record JSON. */
  ipRecords(): string { return this.#ips('records'); }
  /** HASH address → revision (compared by ip_save.lua without decoding the record). */
  ipRevisions(): string { return this.#ips('revisions'); }
  /** LIST of history entry JSON, newest first, capped. */
  ipHistory(address: string): string { return this.#ips(`history:${address}`); }
  /** HASH pool name → pool JSON. */
  ipPools(): string { return this.#ips('pools'); }

  // tenant slot
  /** HASH balance, reserved, seq. */
  credits(tenantId: string): string { return this.#tenant(tenantId, 'credits'); }
  /** ZSET score = seq, member = entry JSON. */
  ledger(tenantId: string): string { return this.#tenant(tenantId, 'ledger'); }
  /** HASH "kind:ref" → seq. */
  ledgerRefs(tenantId: string): string { return this.#tenant(tenantId, 'ledger-refs'); }
  /** ZSET score = expiresAt, member = reservationId. */
  reservations(tenantId: string): string { return this.#tenant(tenantId, 'reservations'); }
  /** HASH reservationId → amount. */
  reservationAmounts(tenantId: string): string { return this.#tenant(tenantId, 'reservation-amounts'); }
  /** STRING: settings JSON. */
  refillSettings(tenantId: string): string { return this.#tenant(tenantId, 'refill'); }
  /** STRING refillId with PX expiry. */
  refillInFlight(tenantId: string): string { return this.#tenant(tenantId, 'refill-in-flight'); }

  /** The five keys of a tenant's credit account, in the order the credit scripts expect. */
  creditAccount(tenantId: string): [string, string, string, string, string] {
    return [this.credits(tenantId), this.reservations(tenantId), this.reservationAmounts(tenantId), this.ledgerRefs(tenantId), this.ledger(tenantId)];
  }

  // feedback loop: lists and outboxes in their tenant's slot (GLOBAL_SCOPE '*' is a slot of its own)
  /** HASH address → suppression entry JSON. */
  suppressions(scope: string): string { return this.#tenant(scope, 'suppressions'); }
  /** ZSET member = score = UTC day number of a soft failure. */
  softBounces(scope: string, address: string): string { return this.#tenant(scope, `soft-bounces:${address}`); }
  /** ZSET score = outcome seq, member = webhook event JSON. */
  webhookOutbox(tenantId: string): string { return this.#tenant(tenantId, 'webhook-outbox'); }
  /** HASH consumer name → seq. */
  cursors(): string { return this.#catalog('cursors'); }
  /** HASH case id → complaint case JSON. */
  complaintCases(): string { return this.#catalog('complaint-cases'); }
  /** HASH tenantId → webhook endpoint JSON (secret sealed). */
  webhookEndpoints(): string { return this.#catalog('webhook-endpoints'); }

  // limits (one key each)
  rate(key: string, spec: RateSpec): string { return `${this.#prefix}rate:{${tagSafe(key)}}:${rateKeySpec(spec)}`; }
  lease(key: string): string { return `${this.#prefix}lease:{${tagSafe(key)}}`; }
  daily(key: string, day: string): string { return `${this.#prefix}daily:{${tagSafe(key)}}:${day}`; }
}
