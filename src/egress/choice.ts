/**
 * The sending IP for one delivery attempt: `createEgressChooser` → EgressChooser.choose(tenant, site).
 * A tenant with an active lease sends only through its leased IPs; when none of them can take the
 * mail (quarantined, not bound on this node, or over its warm-up cap for the site today) the
 * tenant's `ipFallback` policy decides: `pool` → its pool, `wait` → the delivery waits (no attempt
 * counted). Everyone else sends through its pool (`shared` by default) by weighted choice among
 * members that are `available` or `warming` and not leased to anyone. A warming IP's daily cap per
 * site is counted in the state store (shared by every node); over it, traffic overflows to the
 * pool's other members. Only IPs in this node's egress.ips are ever chosen (their helo from there).
 */
import type { Config } from '../config/index.ts';
import { hasActiveLease, type IpRecord, type PoolMember, type Tenant } from '../domain/index.ts';
import type { StateStore } from '../state/store.ts';
import type { EgressSnapshot } from './view.ts';
import { nextWarmupDayAt, warmupCap, warmupDay, type WarmupSchedules } from './warmup.ts';

export interface EgressIp {
  readonly address: string;
  readonly helo: string;
}

export type EgressChoice =
  | { readonly kind: 'ip'; readonly ip: EgressIp }
  /** Not now and not an attempt: try again at `until`. */
  | { readonly kind: 'wait'; readonly until: number; readonly reason: string }
  /** No IP can carry this mail (misconfiguration): a deferral with a record. */
  | { readonly kind: 'unavailable'; readonly text: string };

export interface EgressChooser {
  choose(tenant: Tenant | undefined, site: string): Promise<EgressChoice>;
}

export interface EgressChooserDeps {
  readonly config: Config;
  readonly state: StateStore;
  readonly snapshot: () => EgressSnapshot;
  /** The warm-up schedules in force (read per choice: SIGHUP may reload them). */
  readonly schedules: () => WarmupSchedules;
  readonly now: () => number;
  readonly random?: () => number;
}

export const DEFAULT_POOL = 'shared';
/** A tenant whose leased IPs are all out of use, with policy `wait`, is looked at again this soon. */
const LEASE_WAIT_MS = 60_000;

/** May carry pool traffic: available or warming, and leased to nobody. */
export function poolUsable(record: IpRecord | undefined): boolean {
  return record !== undefined && (record.state === 'available' || record.state === 'warming') && !hasActiveLease(record);
}

interface Candidate {
  readonly record: IpRecord;
  readonly weight: number;
}

function pickWeighted(candidates: readonly Candidate[], random: () => number): Candidate | undefined {
  const total = candidates.reduce((sum, candidate) => sum + candidate.weight, 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const candidate of candidates) {
    point -= candidate.weight;
    if (point < 0) return candidate;
  }
  return candidates.findLast((candidate) => candidate.weight > 0);
}

export function createEgressChooser(deps: EgressChooserDeps): EgressChooser {
  const { state, now } = deps;
  const random = deps.random ?? Math.random;
  const helos = new Map(deps.config.egress.ips.map((ip) => [ip.address, ip.helo]));

  /** A weighted pick that skips IPs over today's warm-up cap; `capped` says when the earliest capped one reopens. */
  async function pickWithinCaps(candidates: Candidate[], site: string): Promise<{ ip?: EgressIp; reopensAt?: number }> {
    let remaining = candidates.filter((candidate) => candidate.weight > 0);
    let reopensAt: number | undefined;
    for (;;) {
      const picked = pickWeighted(remaining, random);
      if (!picked) return reopensAt === undefined ? {} : { reopensAt };
      const { record } = picked;
      const cap = record.state === 'warming' && record.warmup ? warmupCap(deps.schedules(), record.warmup, site, now()) : undefined;
      if (cap === undefined || !record.warmup) return { ip: { address: record.address, helo: helos.get(record.address) ?? record.helo } };
      const count = await state.incrementDaily(`warmup:${record.address}:${site}`, `day-${warmupDay(record.warmup, now())}`, 1, cap);
      if (count.allowed) return { ip: { address: record.address, helo: helos.get(record.address) ?? record.helo } };
      const reopens = nextWarmupDayAt(record.warmup, now());
      reopensAt = Math.min(reopensAt ?? reopens, reopens);
      remaining = remaining.filter((candidate) => candidate !== picked);
    }
  }

  async function fromPool(tenant: Tenant | undefined, site: string, snapshot: EgressSnapshot): Promise<EgressChoice> {
    const name = tenant?.pool || DEFAULT_POOL;
    const pool = snapshot.pools.get(name);
    if (!pool) return { kind: 'unavailable', text: `egress pool ${name} does not exist` };
    const members = pool.members
      .map((member: PoolMember) => ({ record: snapshot.ips.get(member.address), weight: member.weight }))
      .filter((m): m is Candidate => poolUsable(m.record) && helos.has(m.record?.address ?? ''));
    const picked = await pickWithinCaps(members, site);
    if (picked.ip) return { kind: 'ip', ip: picked.ip };
    if (picked.reopensAt !== undefined) return { kind: 'wait', until: picked.reopensAt, reason: `every IP of pool ${name} reached its warm-up cap for ${site} today` };
    return { kind: 'unavailable', text: `egress pool ${name} has no usable IP on this node` };
  }

  return {
    async choose(tenant, site) {
      const snapshot = deps.snapshot();
      const leases = tenant ? [...snapshot.ips.values()].filter((ip) => hasActiveLease(ip) && ip.lease.tenantId === tenant.id) : [];
      if (!tenant || leases.length === 0) return fromPool(tenant, site, snapshot);
      const usable = leases.filter((ip) => (ip.state === 'leased' || ip.state === 'warming') && helos.has(ip.address));
      const picked = await pickWithinCaps(usable.map((record) => ({ record, weight: 1 })), site);
      if (picked.ip) return { kind: 'ip', ip: picked.ip };
      if (tenant.ipFallback === 'wait') {
        const reason = picked.reopensAt === undefined ? 'no leased IP of the tenant can send now' : `the tenant's leased IPs reached their warm-up cap for ${site} today`;
        return { kind: 'wait', until: picked.reopensAt ?? now() + LEASE_WAIT_MS, reason };
      }
      return fromPool(tenant, site, snapshot);
    },
  };
}
