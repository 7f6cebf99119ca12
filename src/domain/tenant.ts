/**
 * Tenants and what they own: API keys (hash only), sending domains with DKIM keys.
 * Plain data shapes shared by the state store, policy, ingress, delivery and the CLI.
 * A tenant's own limits / content policy (set through the admin API or CLI) win over the
 * config's defaults and overrides (src/policy/rate.ts limitsFor, src/policy/filter/policy.ts).
 */
import type { FilterTenantConfig } from '../config/schema-filter.ts';

export type TenantStatus = 'active' | 'suspended' | 'closed';

export type IpFallback = 'pool' | 'wait';

export const IP_FALLBACKS: readonly IpFallback[] = ['pool', 'wait'];

/** Per-tenant message limits kept on the tenant record; a missing value falls back to config. */
export interface TenantLimitOverrides {
  readonly messagesPerSecond?: number;
  readonly burst?: number;
  readonly dailyQuota?: number;
}

/** A tenant's content policy on its record: the shape of one `filter.tenants` entry. */
export type TenantContentPolicy = FilterTenantConfig;

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly status: TenantStatus;
  /** Why the tenant was suspended or closed; quoted to support, never to recipients. */
  readonly statusReason?: string;
  readonly createdAt: number;
  /** Pool of sending IPs; `shared` by default. */
  readonly pool: string;
  /** Where operator notices go (e.g. the warning before a leased IP is revoked); none when absent. */
  readonly contactEmail?: string;
  /**
   * When the tenant's leased IPs (IP leases in the inventory) cannot take its mail: `pool` sends
   * it through the tenant's pool, `wait` keeps it queued until a leased IP can. Default `pool`.
   */
  readonly ipFallback: IpFallback;
  /** Legacy applications: networks (CIDR) whose clients are this tenant without AUTH. Off when empty. */
  readonly relayNetworks: readonly string[];
  /** Rate / burst / daily quota for this tenant; over `tenantLimits` defaults and overrides. */
  readonly limits?: TenantLimitOverrides;
  /** Content gate policy for this tenant; over `filter.tenants[<id>]` (per field). */
  readonly contentPolicy?: TenantContentPolicy;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly tenantId: string;
  /** hex sha256 of the API key; the key itself is never stored. */
  readonly hash: string;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

export interface DkimKey {
  readonly selector: string;
  readonly algorithm: DkimAlgorithm;
  /** PEM private key, decrypted. Only the state store sees the encrypted form. */
  readonly privateKeyPem: string;
  /** The `p=` value to publish in DNS (base64 of the public key). */
  readonly publicKeyDns: string;
  readonly createdAt: number;
}

/**
 * A DKIM key rotated out of signing: its public key stays published (mail signed before the
 * rotation still verifies) until it is retired; its private key is gone.
 */
export interface RotatedDkimKey {
  readonly selector: string;
  readonly algorithm: DkimAlgorithm;
  readonly publicKeyDns: string;
  readonly createdAt: number;
  readonly rotatedAt: number;
}

export interface SendingDomain {
  readonly domain: string;
  readonly tenantId: string;
  readonly createdAt: number;
  /** The signing keys: every one signs (one ed25519 + one rsa pair, the newest). */
  readonly dkimKeys: readonly DkimKey[];
  /** Keys rotated out of signing but still to be published in DNS; absent or empty when none. */
  readonly rotatedDkimKeys?: readonly RotatedDkimKey[];
}

/** A new active tenant as both state backends store it (pool `shared`, ipFallback `pool` unless given). */
export function newTenantRecord(
  input: {
    readonly name: string;
    readonly pool?: string;
    readonly contactEmail?: string;
    readonly ipFallback?: IpFallback;
    readonly relayNetworks?: readonly string[];
  },
  id: string,
  now: number,
): Tenant {
  return {
    id,
    name: input.name,
    status: 'active',
    createdAt: now,
    pool: input.pool ?? 'shared',
    ...(input.contactEmail === undefined ? {} : { contactEmail: input.contactEmail }),
    ipFallback: input.ipFallback ?? 'pool',
    relayNetworks: [...(input.relayNetworks ?? [])],
  };
}
