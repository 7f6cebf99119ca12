/**
 * Sending IPs as a product (the egress stage, src/egress): the inventory record of one IP with its
 * state, lease, warm-up and blocklist listings; the history entries of every change; pools of IPs
 * with weights. Pure types. The state store keeps them (StateStore ip methods) with a revision
 * number per IP, so every change is a compare-and-set and two nodes never overwrite each other.
 */

/** `leased` and `warming` IPs carry traffic; `quarantined` and `retired` carry none; `available` waits for a lease or a pool. */
export type IpState = 'available' | 'leased' | 'warming' | 'quarantined' | 'retired';

export const IP_STATES: readonly IpState[] = ['available', 'leased', 'warming', 'quarantined', 'retired'];

export interface IpLease {
  readonly id: string;
  readonly tenantId: string;
  readonly startsAt: number;
  readonly endsAt: number;
  /** The length of one term (and of each renewal), ms. */
  readonly termMs: number;
  readonly autoRenew: boolean;
  readonly renewals: number;
  /** Set when the lease ended (expiry without renewal, revocation); the tenant no longer sends from the IP. */
  readonly endedAt?: number;
}

export interface IpWarmup {
  readonly startedAt: number;
  /** The warm-up schedule's name in the schedule data file (`default` unless set). */
  readonly schedule: string;
}

/** One DNSBL listing of the IP, as last seen by the blocklist watch. */
export interface IpListing {
  readonly zone: string;
  /** The A record the zone answered, e.g. 127.0.0.2. */
  readonly code: string;
  /** What the zone says the code means (from the zone's configured codes), e.g. `sbl`. */
  readonly meaning: string;
  readonly since: number;
}

/** A revocation in progress or done: warning first, removal once effectiveAt has passed. */
export interface IpRevocation {
  readonly requestedAt: number;
  readonly effectiveAt: number;
  readonly reason: string;
  readonly actor: string;
  readonly tenantId?: string;
  /** The warning email's message id (sent through Ferry itself); absent when the IP had no tenant. */
  readonly warningMessageId?: string;
  /** When the removal was carried out. */
  readonly completedAt?: number;
}

export interface IpRecord {
  readonly address: string;
  /** EHLO name, also the PTR the operator should publish. */
  readonly helo: string;
  /** Node ids that have the IP in their egress.ips (may bind it). */
  readonly nodes: readonly string[];
  readonly state: IpState;
  readonly stateReason?: string;
  readonly lease?: IpLease;
  readonly warmup?: IpWarmup;
  readonly listings: readonly IpListing[];
  readonly revocation?: IpRevocation;
  /** Increased by the store on every save: saves are compare-and-set on it. */
  readonly revision: number;
  readonly updatedAt: number;
}

export interface IpHistoryEntry {
  readonly at: number;
  readonly address: string;
  /** What happened, e.g. `registered`, `leased`, `lease-renewed`, `listed`, `quarantined`, `revoked`. */
  readonly event: string;
  readonly from?: IpState;
  readonly to?: IpState;
  /** `admin:<token id>`, `node:<node id>`, `dnsbl`, `lease`, … */
  readonly actor: string;
  readonly detail?: string;
}

export interface PoolMember {
  readonly address: string;
  readonly weight: number;
}

export interface PoolRecord {
  readonly name: string;
  /** `shared`: every tenant's default; `tenant`: one tenant's own; `custom`: any other grouping. */
  readonly kind: 'shared' | 'tenant' | 'custom';
  readonly tenantId?: string;
  readonly members: readonly PoolMember[];
  readonly updatedAt: number;
}

/** A lease that has not ended (expired, revoked, ended by an operator) binds the IP to its tenant. */
export function hasActiveLease(record: IpRecord): record is IpRecord & { readonly lease: IpLease } {
  return record.lease !== undefined && record.lease.endedAt === undefined;
}

/** The tenant the IP is leased to now, if any. */
export function activeLessee(record: IpRecord): string | undefined {
  return hasActiveLease(record) ? record.lease.tenantId : undefined;
}
